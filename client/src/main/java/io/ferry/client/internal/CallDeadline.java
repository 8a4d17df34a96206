package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.FerryTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * The time one blocking client call may take over all its attempts ({@code default.api.timeout.ms}):
 * how long the next request may wait for its answer, and the pause before a retry. Immutable.
 */
public final class CallDeadline {

    private final long deadlineNanos;
    private final long timeoutMs;
    private final long retryBackoffMs;
    private final long requestTimeoutMs;

    private CallDeadline(long deadlineNanos, long timeoutMs, long retryBackoffMs, long requestTimeoutMs) {
        this.deadlineNanos = deadlineNanos;
        this.timeoutMs = timeoutMs;
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** A call starting now that may take {@code timeoutMs}, each request at most {@code requestTimeoutMs}. */
    public static CallDeadline after(long timeoutMs, long retryBackoffMs, long requestTimeoutMs) {
        return new CallDeadline(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs),
                timeoutMs,
                retryBackoffMs,
                requestTimeoutMs);
    }

    /** The deadline as {@link System#nanoTime()}. */
    public long nanos() {
        return deadlineNanos;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    public boolean passed() {
        return deadlineNanos - System.nanoTime() <= 0;
    }

    /** How long the next request may take: {@code request.timeout.ms}, or less when the call has less left. */
    public long requestTimeoutNanos() {
        return Math.max(
                1, Math.min(deadlineNanos - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs)));
    }

    /**
     * Sleeps {@code retry.backoff.ms} before the next attempt.
     *
     * @param last the attempt's failure, named in the timeout
     * @throws FerryTimeoutException when the backoff would use up the time left
     */
    public void backOff(String what, FerryException last) {
        // A last attempt with no time to answer would only hide the real error behind DEADLINE_EXCEEDED.
        if (deadlineNanos - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(retryBackoffMs + 1)) {
            throw new FerryTimeoutException(
                    what + " did not succeed within " + timeoutMs + " ms; last error: " + last.getMessage(), last);
        }
        try {
            Thread.sleep(retryBackoffMs); // retry pacing, not waiting for a condition
        } catch (InterruptedException e) {
            throw new FerryInterruptedException("interrupted during " + what, e);
        }
    }
}
