package io.ferry.cli.internal;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/**
 * Redraws a view every interval until a time limit (or Ctrl-C). On a terminal it clears the
 * screen and draws the view under a clock line; otherwise (a pipe, a log file) it prints a
 * timestamped block only when the view changed, so the output is the history of changes.
 *
 * <p>Not thread-safe; runs on the calling thread.
 */
public final class Watcher {

    static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    private final PrintWriter out;
    private final boolean terminal;
    private final Clock clock;
    private final Ticker ticker;

    public Watcher(PrintWriter out, boolean terminal, Clock clock, Ticker ticker) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.ticker = ticker;
    }

    /**
     * @param view     draws the current state; may throw, and the error line is shown instead
     * @param interval between the starts of two draws
     * @param limit    stop after this long; null runs until interrupted
     * @return the number of draws
     */
    public int watch(Supplier<String> view, Duration interval, Duration limit, String title)
            throws InterruptedException {
        long start = ticker.nanoTime();
        long intervalNanos = interval.toNanos();
        long limitNanos = limit == null ? Long.MAX_VALUE : limit.toNanos();
        String previous = null;
        int draws = 0;
        while (true) {
            String frame;
            try {
                frame = view.get();
            } catch (RuntimeException e) {
                frame = "error: " + ErrorReporter.describe(e) + "\n";
            }
            String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            if (terminal) {
                out.print(CLEAR_SCREEN + title + "    " + now + "    (every " + describe(interval)
                        + ", Ctrl-C to stop)\n\n" + frame);
                draws++;
            } else if (!frame.equals(previous)) {
                out.print("=== " + now + " ===\n" + frame + "\n");
                draws++;
            }
            out.flush();
            previous = frame;
            // The next slot on the interval grid; slots missed during a slow poll (an unreachable
            // broker takes seconds to time out) are skipped, not made up in a burst.
            long elapsed = ticker.nanoTime() - start;
            long next = (elapsed / intervalNanos + 1) * intervalNanos;
            if (next > limitNanos) {
                return draws;
            }
            ticker.sleepNanos(next - elapsed);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
