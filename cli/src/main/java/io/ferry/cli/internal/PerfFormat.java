package io.ferry.cli.internal;

import java.util.Locale;

/** The lines and JSON objects the perf tools print; pure functions of their figures. */
public final class PerfFormat {

    private static final double MB = 1024.0 * 1024.0;

    private PerfFormat() {}

    /**
     * Kafka's ProducerPerformance line: records, records/s, MB/s, then latency in ms (send() to
     * acknowledgement). {@code latency.count()} may be less than {@code records} only with failures.
     */
    public static String produceLine(
            long records, long bytes, long elapsedNanos, LatencyStats latency, boolean withPercentiles) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        String line = String.format(
                Locale.ROOT,
                "%d records sent, %.1f records/sec (%.2f MB/sec), %s ms avg latency, " + "%s ms max latency",
                records,
                records / seconds,
                bytes / MB / seconds,
                LatencyStats.ms(latency.meanMicros()),
                LatencyStats.ms(latency.maxMicros()));
        if (withPercentiles) {
            line += String.format(
                    Locale.ROOT,
                    ", %s ms 50th, %s ms 95th, %s ms 99th, %s ms 99.9th",
                    LatencyStats.ms(latency.p50Micros()),
                    LatencyStats.ms(latency.p95Micros()),
                    LatencyStats.ms(latency.p99Micros()),
                    LatencyStats.ms(latency.p999Micros()));
        }
        return line + ".";
    }

    public static String produceJson(long records, long errors, long bytes, long elapsedNanos, LatencyStats l) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        return String.format(
                Locale.ROOT,
                "{\"records\":%d,\"errors\":%d,\"bytes\":%d,\"elapsed_sec\":%.3f,"
                        + "\"records_per_sec\":%.1f,\"mb_per_sec\":%.3f,\"latency_ms\":{\"avg\":%s,\"max\":%s,"
                        + "\"p50\":%s,\"p95\":%s,\"p99\":%s,\"p99_9\":%s}}",
                records,
                errors,
                bytes,
                seconds,
                records / seconds,
                bytes / MB / seconds,
                LatencyStats.ms(l.meanMicros()),
                LatencyStats.ms(l.maxMicros()),
                LatencyStats.ms(l.p50Micros()),
                LatencyStats.ms(l.p95Micros()),
                LatencyStats.ms(l.p99Micros()),
                LatencyStats.ms(l.p999Micros()));
    }

    /**
     * ConsumerPerformance's figures in one line: records, MB, their rates, and the polls that returned
     * records. Polls, not fetches: one fetch response (up to max.partition.fetch.bytes) feeds many
     * polls of at most max.poll.records each.
     */
    public static String consumeLine(long records, long bytes, long elapsedNanos, long polls) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        return String.format(
                Locale.ROOT,
                "%d records consumed (%.2f MB) in %.3f s, %.1f records/sec (%.2f MB/sec), "
                        + "%d polls, %.1f records/poll",
                records,
                bytes / MB,
                seconds,
                records / seconds,
                bytes / MB / seconds,
                polls,
                polls == 0 ? 0.0 : (double) records / polls);
    }

    public static String consumeJson(long records, long bytes, long elapsedNanos, long polls) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        return String.format(
                Locale.ROOT,
                "{\"records\":%d,\"bytes\":%d,\"elapsed_sec\":%.3f,\"records_per_sec\":%.1f,"
                        + "\"mb_per_sec\":%.3f,\"polls\":%d}",
                records,
                bytes,
                seconds,
                records / seconds,
                bytes / MB / seconds,
                polls);
    }

    /** End-to-end latency in microseconds: produce call to the consumer holding the record. */
    public static String e2eLine(LatencyStats l, double rate, String acks, long warmup) {
        return String.format(
                Locale.ROOT,
                "%d records at %.0f records/sec (acks=%s, %d warm-up records not counted): "
                        + "e2e latency avg %.1f us, p50 %d us, p99 %d us, p99.9 %d us, max %d us",
                l.count(),
                rate,
                acks,
                warmup,
                l.meanMicros(),
                l.p50Micros(),
                l.p99Micros(),
                l.p999Micros(),
                l.maxMicros());
    }

    public static String e2eJson(LatencyStats l, double rate, String acks, long warmup, long lost) {
        return String.format(
                Locale.ROOT,
                "{\"records\":%d,\"rate\":%.0f,\"acks\":\"%s\",\"warmup\":%d,\"lost\":%d,"
                        + "\"latency_us\":{\"avg\":%.1f,\"p50\":%d,\"p99\":%d,\"p99_9\":%d,\"max\":%d}}",
                l.count(),
                rate,
                acks,
                warmup,
                lost,
                l.meanMicros(),
                l.p50Micros(),
                l.p99Micros(),
                l.p999Micros(),
                l.maxMicros());
    }
}
