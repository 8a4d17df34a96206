package io.ferry.cli;

import io.ferry.cli.internal.Environment;
import io.ferry.cli.internal.Ticker;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

/** Runs the {@code ferry} command in-process with captured output, given stdin and environment, no TTY. */
public final class CliRunner {

    /** What a user would see: the exit code and both streams. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private String stdin = "";
    private Map<String, String> variables = Map.of();
    private boolean terminal;
    private boolean realTime;
    private final FakeTicker ticker = new FakeTicker();

    public CliRunner stdin(String text) {
        this.stdin = text;
        return this;
    }

    public CliRunner variables(Map<String, String> variables) {
        this.variables = variables;
        return this;
    }

    public CliRunner terminal(boolean terminal) {
        this.terminal = terminal;
        return this;
    }

    /** Real clock and waiting, for commands whose timeouts and latencies must be real (against a node). */
    public CliRunner realTime() {
        this.realTime = true;
        return this;
    }

    public FakeTicker ticker() {
        return ticker;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment env = new Environment(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                variables,
                terminal,
                realTime ? Clock.systemUTC() : ticker.clock(),
                realTime ? Ticker.system() : ticker);
        int code = Ferry.commandLine(env, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Time that moves only when someone sleeps, plus a wall clock derived from it; used where a test
     * wants to control redraws and pacing. Real waits still happen in the clients, which use real time.
     */
    public static final class FakeTicker implements Ticker {
        public static final Instant EPOCH = Instant.parse("2026-11-22T00:00:00Z");
        private volatile long now = 1_000_000_000L;
        private final long origin = now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            if (nanos > 0) {
                now += nanos;
            }
        }

        public Clock clock() {
            FakeTicker self = this;
            return new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return EPOCH.plusNanos(self.now - self.origin);
                }
            };
        }
    }
}
