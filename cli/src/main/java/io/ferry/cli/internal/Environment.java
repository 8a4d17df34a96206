package io.ferry.cli.internal;

import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What a command sees of the process besides its arguments and output writers: standard input,
 * environment variables, whether standard output is a terminal, the wall clock (for timestamps
 * shown to people) and a {@link Ticker} (for intervals and pacing). Injected so tests can run
 * every command without a terminal, a real environment or real waiting.
 */
public record Environment(
        InputStream stdin, Map<String, String> variables, boolean terminal, Clock clock, Ticker ticker) {

    public Environment {
        Objects.requireNonNull(stdin, "stdin");
        variables = Map.copyOf(variables);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(ticker, "ticker");
    }

    /** The real process: {@code System.in}, {@code System.getenv()}, the system clock. */
    public static Environment system() {
        return new Environment(
                System.in, System.getenv(), Terminals.stdoutIsTerminal(), Clock.systemUTC(), Ticker.system());
    }
}
