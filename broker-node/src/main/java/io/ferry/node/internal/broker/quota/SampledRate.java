package io.ferry.node.internal.broker.quota;

/**
 * A rate measured as Kafka's {@code Rate} over a {@code SampledStat} of sums: values are added to the
 * current sample; a sample lasts one window; {@code samples} of them are kept (and one more that may
 * overlap the start of the measured span). The rate is the sum of the live samples over the time since the
 * oldest one started, counted as at least {@code samples - 1} whole windows, so a burst right after a
 * quiet spell is measured against the whole span rather than a few milliseconds.
 *
 * <p>Times are milliseconds of one clock. Not thread-safe: the caller serializes every use.
 */
final class SampledRate {

    private final int samples;
    private final long windowMs;
    private final long[] starts;
    private final long[] lastRecorded;
    private final double[] sums;
    private int current;
    /** How many samples were started so far (they are started in turn, then reused). */
    private int used;

    /**
     * @param samples  how many windows the rate spans ({@code quota.window.num}), at least 2
     * @param windowMs how long one window is ({@code quota.window.size.seconds})
     */
    SampledRate(int samples, long windowMs) {
        if (samples < 2 || windowMs < 1) {
            throw new IllegalArgumentException(
                    "samples must be >= 2 and windowMs >= 1, got " + samples + ", " + windowMs);
        }
        this.samples = samples;
        this.windowMs = windowMs;
        // One extra sample: the one overlapping the start of the measured span.
        this.starts = new long[samples + 1];
        this.lastRecorded = new long[samples + 1];
        this.sums = new double[samples + 1];
    }

    void record(double value, long nowMs) {
        if (used == 0) {
            used = 1;
            reset(0, nowMs);
        } else if (nowMs - starts[current] >= windowMs) {
            current = (current + 1) % sums.length;
            used = Math.max(used, current + 1);
            reset(current, nowMs);
        }
        sums[current] += value;
        lastRecorded[current] = nowMs;
    }

    /** Units per second over {@link #spanMs}; 0 before anything was recorded. */
    double perSecond(long nowMs) {
        if (used == 0) {
            return 0;
        }
        long span = spanMs(nowMs);
        double total = 0;
        for (int i = 0; i < used; i++) {
            total += sums[i];
        }
        return total * 1000.0 / span;
    }

    /**
     * The time the rate is measured over (Kafka's {@code Rate.windowSize}): since the oldest live sample
     * started, at least {@code samples - 1} windows, at least 1 ms. Forgets samples nothing was recorded in for
     * {@code samples} windows.
     */
    long spanMs(long nowMs) {
        long expiry = samples * windowMs;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < used; i++) {
            if (nowMs - lastRecorded[i] >= expiry) {
                reset(i, nowMs);
            }
            oldest = Math.min(oldest, starts[i]);
        }
        long elapsed = nowMs - oldest;
        long fullWindows = elapsed / windowMs;
        if (fullWindows < samples - 1) {
            elapsed += (samples - 1 - fullWindows) * windowMs;
        }
        return Math.max(elapsed, 1);
    }

    /** Whether nothing was recorded for {@code samples} windows: the rate is 0 and the entry can go. */
    boolean idle(long nowMs) {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < used; i++) {
            last = Math.max(last, lastRecorded[i]);
        }
        return used == 0 || nowMs - last >= samples * windowMs;
    }

    private void reset(int sample, long nowMs) {
        starts[sample] = nowMs;
        lastRecorded[sample] = nowMs;
        sums[sample] = 0;
    }
}
