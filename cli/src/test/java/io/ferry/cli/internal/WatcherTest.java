package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.FakeTicker;
import io.ferry.client.FerryException;
import io.ferry.proto.v1.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WatcherTest {

    private final FakeTicker ticker = new FakeTicker();
    private final StringWriter out = new StringWriter();

    private Watcher watcher(boolean terminal) {
        return new Watcher(new PrintWriter(out), terminal, ticker.clock(), ticker);
    }

    /** Frames from a script, one per draw; the last repeats. */
    private static Supplier<String> script(String... frames) {
        AtomicInteger i = new AtomicInteger();
        return () -> frames[Math.min(i.getAndIncrement(), frames.length - 1)];
    }

    @Test
    void offATerminalPrintsATimestampedBlockOnlyWhenTheViewChanges() throws InterruptedException {
        int draws = watcher(false)
                .watch(
                        script("leader 1\n", "leader 1\n", "leader 2\n", "leader 2\n", "leader 2\n"),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(4),
                        "title");
        assertEquals(2, draws);
        assertEquals("""
                === 2026-11-22T00:00:00Z ===
                leader 1

                === 2026-11-22T00:00:02Z ===
                leader 2

                """, out.toString());
        assertTrue(!out.toString().contains("\u001b"), "no escape codes in a pipe");
    }

    @Test
    void stopsAfterTheLimitHavingPolledEveryInterval() throws InterruptedException {
        AtomicInteger polls = new AtomicInteger();
        watcher(false)
                .watch(() -> "n=" + polls.incrementAndGet() + "\n", Duration.ofMillis(500), Duration.ofSeconds(3), "t");
        assertEquals(7, polls.get()); // at 0, 0.5, ..., 3.0 s
        assertEquals(FakeTicker.EPOCH.plusSeconds(3), ticker.clock().instant());
    }

    @Test
    void onATerminalClearsTheScreenAndRedrawsEveryTime() throws InterruptedException {
        int draws =
                watcher(true).watch(script("same\n"), Duration.ofSeconds(1), Duration.ofSeconds(2), "ferry cluster");
        assertEquals(3, draws);
        String text = out.toString();
        assertEquals(3, text.split("\u001b\\[H\u001b\\[2J", -1).length - 1, text);
        assertTrue(
                text.contains("ferry cluster    2026-11-22T00:00:02Z    (every 1s, Ctrl-C to stop)\n\nsame\n"), text);
    }

    @Test
    void aFailedPollShowsTheErrorAndWatchingGoesOn() throws InterruptedException {
        List<Supplier<String>> steps = List.of(
                () -> "ok\n",
                () -> {
                    throw new FerryException(ErrorCode.UNKNOWN_SERVER_ERROR, "broker gone");
                },
                () -> "ok\n");
        AtomicInteger i = new AtomicInteger();
        watcher(false)
                .watch(
                        () -> steps.get(Math.min(i.getAndIncrement(), 2)).get(),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        "t");
        String text = out.toString();
        assertTrue(text.contains("=== 2026-11-22T00:00:01Z ===\nerror: UNKNOWN_SERVER_ERROR: broker gone\n"), text);
        assertTrue(text.contains("=== 2026-11-22T00:00:02Z ===\nok\n"), text);
    }

    @Test
    void slowPollsSkipMissedSlotsAndTheLimitHolds() throws InterruptedException {
        AtomicInteger polls = new AtomicInteger();
        watcher(false)
                .watch(
                        () -> {
                            polls.incrementAndGet();
                            ticker.sleepNanos(2_500_000_000L); // an unreachable broker: each poll takes 2.5 s
                            return "error\n";
                        },
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        "t");
        assertEquals(2, polls.get()); // at 0 s and at the 3 s slot; the 6 s slot is past the limit
        assertEquals(FakeTicker.EPOCH.plusMillis(5500), ticker.clock().instant());
    }
}
