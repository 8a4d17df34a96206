package io.ferry.node.internal.caller;

import java.util.function.LongSupplier;

/**
 * Lets one refusal line through per {@code intervalNanos} and counts the others: a client retrying what is
 * refused (a plaintext connection to a TLS port, a call it is not authorized for), or flooding the node with
 * it, must not fill the disk with log lines. Thread-safe.
 */
public final class RefusalLog {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long lastLoggedNanos;
    private boolean loggedOnce;
    private long suppressed;

    /**
     * @param intervalNanos the least time between two lines
     * @param nanoTime      monotonic nanoseconds ({@code System::nanoTime})
     */
    public RefusalLog(long intervalNanos, LongSupplier nanoTime) {
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    /** The refusals not logged since the last line when this one is to be logged, else -1. */
    public synchronized long suppressedOrLog() {
        long now = nanoTime.getAsLong();
        if (loggedOnce && now - lastLoggedNanos < intervalNanos) {
            suppressed++;
            return -1;
        }
        loggedOnce = true;
        lastLoggedNanos = now;
        long before = suppressed;
        suppressed = 0;
        return before;
    }
}
