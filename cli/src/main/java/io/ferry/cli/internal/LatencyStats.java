package io.ferry.cli.internal;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The summary of a latency histogram recorded in microseconds: count, mean, max and percentiles,
 * with the text and JSON the perf tools print. HdrHistogram with 3 significant digits keeps every
 * figure within 0.1% of the exact value.
 *
 * @param count records measured
 * @param meanMicros mean latency
 */
public record LatencyStats(
        long count,
        double meanMicros,
        long maxMicros,
        long p50Micros,
        long p95Micros,
        long p99Micros,
        long p999Micros) {

    /** Significant decimal digits the histograms keep. */
    public static final int PRECISION = 3;

    public static Histogram newHistogram() {
        return new Histogram(PRECISION);
    }

    public static LatencyStats of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencyStats(
                h.getTotalCount(),
                h.getMean(),
                h.getMaxValue(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(95),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9));
    }

    /** Milliseconds with two decimals, for the producer line. */
    static String ms(double micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }
}
