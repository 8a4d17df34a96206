package io.ferry.cli.internal;

import java.util.concurrent.locks.LockSupport;

/** Monotonic time and waiting, behind an interface so pacing and redraw loops run in tests without sleeping. */
public interface Ticker {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits about {@code nanos} nanoseconds (returns at once for a value of zero or less). */
    void sleepNanos(long nanos) throws InterruptedException;

    static Ticker system() {
        return new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                long deadline = System.nanoTime() + nanos;
                for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
        };
    }
}
