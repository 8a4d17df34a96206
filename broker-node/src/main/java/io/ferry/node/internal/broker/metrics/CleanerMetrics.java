package io.ferry.node.internal.broker.metrics;

import io.ferry.storage.CleanerStats;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The log cleaner's meters (log compaction; Prometheus names in brackets), read from storage's
 * {@link CleanerStats} when scraped:
 * <ul>
 *   <li>{@code ferry.log.cleaner.passes} [{@code ferry_log_cleaner_passes_total}]: cleaning passes run,
 *       finished or stopped midway
 *   <li>{@code ferry.log.cleaner.read.bytes} / {@code .written.bytes} [{@code ferry_log_cleaner_read_bytes_total},
 *       {@code ferry_log_cleaner_written_bytes_total}]: log bytes the passes copied from and wrote; their rate is
 *       the cleaner's I/O, which {@code log.cleaner.io.max.bytes.per.second} bounds
 *   <li>{@code ferry.log.cleaner.records.dropped} [{@code ferry_log_cleaner_records_dropped_total}]: superseded
 *       records, expired tombstones and keyless records removed
 *   <li>{@code ferry.log.cleaner.time} [{@code ferry_log_cleaner_time_seconds_total}]: time spent in passes
 *   <li>{@code ferry.log.cleaner.max.compaction.delay} [{@code ferry_log_cleaner_max_compaction_delay_seconds}]:
 *       at the cleaner's last choice of a log, the longest any compacted log's oldest dirty record had waited
 *       past its {@code max.compaction.lag.ms}; above 0 the cleaner is behind that promise
 *   <li>{@code ferry.log.cleaner.uncleanable.partitions} [{@code ferry_log_cleaner_uncleanable_partitions}]: logs
 *       a pass failed on, left uncompacted until the broker restarts
 *   <li>per compacted partition ({@code topic}, {@code partition}): {@code ferry.partition.dirty.ratio}
 *       [{@code ferry_partition_dirty_ratio}]: the share of its cleanable bytes not yet compacted, which
 *       {@code min.cleanable.dirty.ratio} is compared with
 * </ul>
 * Dirty-ratio gauges are added and removed by {@link #syncCompactedLogs} as compacted logs come and go
 * (a topic's {@code cleanup.policy} may change). Thread-safe.
 */
public final class CleanerMetrics {

    private final MeterRegistry registry;
    private final Supplier<CleanerStats> stats;
    private final ToDoubleFunction<TopicPartition> dirtyRatio;
    private final List<Meter> cleanerMeters = new ArrayList<>();
    private final Map<TopicPartition, Meter> dirtyRatios = new HashMap<>();

    /**
     * @param stats      what the cleaner threads have done so far, read at every scrape
     * @param dirtyRatio a partition's dirty ratio, NaN when its log is absent or does not compact
     */
    public CleanerMetrics(
            MeterRegistry registry, Supplier<CleanerStats> stats, ToDoubleFunction<TopicPartition> dirtyRatio) {
        this.registry = registry;
        this.stats = stats;
        this.dirtyRatio = dirtyRatio;
        cleanerMeters.add(counter("ferry.log.cleaner.passes", "Log cleaning passes run", null, CleanerStats::passes));
        cleanerMeters.add(counter(
                "ferry.log.cleaner.read.bytes",
                "Log bytes the cleaner copied segments from",
                "bytes",
                CleanerStats::bytesRead));
        cleanerMeters.add(counter(
                "ferry.log.cleaner.written.bytes",
                "Bytes of cleaned segments the cleaner wrote",
                "bytes",
                CleanerStats::bytesWritten));
        cleanerMeters.add(counter(
                "ferry.log.cleaner.records.dropped",
                "Records compaction removed: superseded values, expired tombstones, keyless records",
                null,
                CleanerStats::recordsDropped));
        cleanerMeters.add(FunctionCounter.builder(
                        "ferry.log.cleaner.time", stats, s -> s.get().cleaningTimeMs() / 1_000.0)
                .description("Time the cleaner threads spent in cleaning passes")
                .baseUnit("seconds")
                .register(registry));
        cleanerMeters.add(Gauge.builder(
                        "ferry.log.cleaner.max.compaction.delay",
                        stats,
                        s -> s.get().maxCompactionDelayMs() / 1_000.0)
                .description("At the cleaner's last choice, the longest a compacted log's oldest dirty record had "
                        + "waited past its max.compaction.lag.ms")
                .baseUnit("seconds")
                .register(registry));
        cleanerMeters.add(Gauge.builder(
                        "ferry.log.cleaner.uncleanable.partitions",
                        stats,
                        s -> s.get().uncleanablePartitions())
                .description("Logs a cleaning pass failed on, left uncompacted until the broker restarts")
                .register(registry));
    }

    private Meter counter(String name, String description, String unit, ToLongFunction<CleanerStats> value) {
        return FunctionCounter.builder(name, stats, s -> value.applyAsLong(s.get()))
                .description(description)
                .baseUnit(unit)
                .register(registry);
    }

    /** Adds the dirty-ratio gauges of logs in {@code compacted} and removes those of every other log. */
    public synchronized void syncCompactedLogs(Set<TopicPartition> compacted) {
        for (TopicPartition tp : compacted) {
            dirtyRatios.computeIfAbsent(
                    tp,
                    p -> Gauge.builder("ferry.partition.dirty.ratio", dirtyRatio, f -> f.applyAsDouble(p))
                            .description("Share of the compacted log's cleanable bytes not yet compacted")
                            .tags(Tags.of("topic", p.topic(), "partition", Integer.toString(p.partition())))
                            .register(registry));
        }
        dirtyRatios.entrySet().removeIf(e -> {
            if (compacted.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
    }

    /** Removes every meter this class registered. */
    public synchronized void close() {
        dirtyRatios.values().forEach(registry::remove);
        dirtyRatios.clear();
        cleanerMeters.forEach(registry::remove);
    }
}
