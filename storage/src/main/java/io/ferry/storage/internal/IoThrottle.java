package io.ferry.storage.internal;

import java.util.concurrent.TimeUnit;

/**
 * Holds the bytes several threads read and write together to a rate ({@code log.cleaner.io.max.bytes.per.second}):
 * bytes are counted from the start of a period, and a caller that finds the count more than
 * {@link #SLACK_NANOS} ahead of what the rate allows by now is told to pause until it is not; a period at or
 * under the rate ends after the slack, so that idle time earns no credit for a later burst. Thread-safe.
 */
public final class IoThrottle {

    /** How far ahead of the rate the bytes may run before a pause, and the shortest pause: Kafka checks every 300 ms. */
    static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    private final long bytesPerSecond;
    private long periodStartNanos;
    private long periodBytes;

    /** @param bytesPerSecond the rate; {@link Long#MAX_VALUE} never pauses */
    public IoThrottle(long bytesPerSecond, long nowNanos) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException(
                    "an I/O rate of " + bytesPerSecond + " bytes/s never lets a byte through");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.periodStartNanos = nowNanos;
    }

    /**
     * Counts {@code bytes} done at {@code nowNanos}.
     *
     * @return how long the caller must pause, in nanoseconds, 0 if not at all
     */
    public synchronized long record(long bytes, long nowNanos) {
        if (bytesPerSecond == Long.MAX_VALUE) {
            return 0;
        }
        periodBytes += bytes;
        long elapsed = nowNanos - periodStartNanos;
        long ahead = (long) (periodBytes * 1e9 / bytesPerSecond) - elapsed;
        if (ahead >= SLACK_NANOS) {
            periodStartNanos = nowNanos + ahead;
            periodBytes = 0;
            return ahead;
        }
        if (elapsed >= SLACK_NANOS && ahead <= 0) {
            periodStartNanos = nowNanos;
            periodBytes = 0;
        }
        return 0;
    }
}
