package io.ferry.replication;

/**
 * Runs a task once after a delay: the one shared timer behind every delayed request (no thread
 * waits per request). Injected so tests control time. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Timer {

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Timeout {
        /** Stops the task from running if it has not run yet; idempotent. */
        void cancel();
    }

    /** Runs {@code task} once, on the timer's thread, after {@code delayMs} milliseconds. */
    Timeout schedule(long delayMs, Runnable task);
}
