package io.ferry.cli.internal;

/**
 * Paces events at a fixed rate: event {@code i} is due at {@code start + i / rate}. A caller that
 * falls behind is not made to wait until it has caught up (no bursts are skipped, none are
 * delayed), which keeps the long-run rate exact. Not thread-safe.
 */
public final class Pacer {

    private final Ticker ticker;
    private final double nanosPerEvent;
    private long start;
    private boolean started;

    /** @param eventsPerSecond target rate; zero or less means unpaced */
    public Pacer(Ticker ticker, double eventsPerSecond) {
        this.ticker = ticker;
        this.nanosPerEvent = eventsPerSecond > 0 ? 1e9 / eventsPerSecond : 0;
    }

    /** Waits until event {@code index} (counting from 0, the first call's time) is due. */
    public void awaitTurn(long index) throws InterruptedException {
        long now = ticker.nanoTime();
        if (!started) {
            start = now;
            started = true;
        }
        if (nanosPerEvent == 0) {
            return;
        }
        long due = start + (long) (index * nanosPerEvent);
        if (due - now > 0) {
            ticker.sleepNanos(due - now);
        }
    }
}
