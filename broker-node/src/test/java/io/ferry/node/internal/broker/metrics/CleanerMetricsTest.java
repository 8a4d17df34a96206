package io.ferry.node.internal.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.CleanerStats;
import io.ferry.storage.TopicPartition;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CleanerMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<CleanerStats> stats = new AtomicReference<>(CleanerStats.NONE);
    private final Map<TopicPartition, Double> ratios = new ConcurrentHashMap<>();
    private final CleanerMetrics metrics =
            new CleanerMetrics(registry, stats::get, tp -> ratios.getOrDefault(tp, Double.NaN));

    private void assertScraped(String... lines) {
        String body = registry.scrape();
        for (String line : lines) {
            assertTrue(body.contains(line + "\n"), "no " + line + " in\n" + body);
        }
    }

    @Test
    void theCleanersStatsAreReadAtEachScrapeUnderPrometheusNames() {
        assertScraped(
                "ferry_log_cleaner_passes_total 0.0",
                "ferry_log_cleaner_read_bytes_total 0.0",
                "ferry_log_cleaner_written_bytes_total 0.0",
                "ferry_log_cleaner_records_dropped_total 0.0",
                "ferry_log_cleaner_time_seconds_total 0.0",
                "ferry_log_cleaner_max_compaction_delay_seconds 0.0",
                "ferry_log_cleaner_uncleanable_partitions 0.0");

        stats.set(new CleanerStats(3, 4_096, 1_024, 17, 2_500, 60_000, 2));
        assertScraped(
                "ferry_log_cleaner_passes_total 3.0",
                "ferry_log_cleaner_read_bytes_total 4096.0",
                "ferry_log_cleaner_written_bytes_total 1024.0",
                "ferry_log_cleaner_records_dropped_total 17.0",
                "ferry_log_cleaner_time_seconds_total 2.5",
                "ferry_log_cleaner_max_compaction_delay_seconds 60.0",
                "ferry_log_cleaner_uncleanable_partitions 2.0");
    }

    @Test
    void aDirtyRatioGaugeExistsWhileItsLogIsCompacted() {
        TopicPartition a = new TopicPartition("a", 0);
        TopicPartition b = new TopicPartition("b", 3);
        ratios.put(a, 0.25);
        ratios.put(b, 0.75);
        metrics.syncCompactedLogs(Set.of(a, b));
        assertScraped(
                "ferry_partition_dirty_ratio{partition=\"0\",topic=\"a\"} 0.25",
                "ferry_partition_dirty_ratio{partition=\"3\",topic=\"b\"} 0.75");

        ratios.put(a, 0.5);
        metrics.syncCompactedLogs(Set.of(a));
        assertScraped("ferry_partition_dirty_ratio{partition=\"0\",topic=\"a\"} 0.5");
        assertFalse(registry.scrape().contains("topic=\"b\""), "b no longer compacts, or left the broker");

        metrics.syncCompactedLogs(Set.of());
        assertFalse(registry.scrape().contains("ferry_partition_dirty_ratio"));
    }

    @Test
    void closeRemovesEveryMeter() {
        metrics.syncCompactedLogs(Set.of(new TopicPartition("a", 0)));
        metrics.close();
        assertEquals(List.of(), registry.getMeters());
    }
}
