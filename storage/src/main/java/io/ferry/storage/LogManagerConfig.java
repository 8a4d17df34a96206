package io.ferry.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Broker-wide log settings, with Kafka's key names.
 *
 * @param logDirs                        {@code log.dirs}: one or more directories; each partition lives in one
 * @param defaultLogConfig               settings of logs whose topic has no override
 * @param retentionCheckIntervalMs       {@code log.retention.check.interval.ms}: how often retention runs
 * @param flushSchedulerIntervalMs       {@code log.flush.scheduler.interval.ms}: how often logs are checked
 *                                       against {@code flush.ms}; {@link Long#MAX_VALUE} never
 * @param flushOffsetCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}: how often recovery
 *                                       points and high watermarks are checkpointed
 * @param recoveryThreadsPerDataDir      {@code num.recovery.threads.per.data.dir}: logs recovered in parallel
 *                                       per directory at start-up
 * @param cleaner                        the log cleaner's settings (compaction of {@code cleanup.policy=compact}
 *                                       logs)
 * @param producerIdExpirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}: how often logs
 *                                       forget producers idle for their {@code producer.id.expiration.ms}
 * @param segmentMappingIdleMs           {@code log.segment.mapping.idle.ms}: a sealed segment unread this long
 *                                       gives its memory mappings back; checked every half of it
 */
public record LogManagerConfig(
        List<Path> logDirs,
        LogConfig defaultLogConfig,
        long retentionCheckIntervalMs,
        long flushSchedulerIntervalMs,
        long flushOffsetCheckpointIntervalMs,
        int recoveryThreadsPerDataDir,
        CleanerConfig cleaner,
        long producerIdExpirationCheckIntervalMs,
        long segmentMappingIdleMs) {

    public static final long DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000L;
    public static final long DEFAULT_FLUSH_SCHEDULER_INTERVAL_MS = Long.MAX_VALUE;
    public static final long DEFAULT_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = 60_000L;
    public static final int DEFAULT_RECOVERY_THREADS_PER_DATA_DIR = 1;
    /** Kafka's default: ten minutes. */
    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000L;
    /** Not a Kafka setting: Kafka keeps a segment's index mappings until the segment is closed. */
    public static final long DEFAULT_SEGMENT_MAPPING_IDLE_MS = 60_000L;

    public LogManagerConfig {
        logDirs = List.copyOf(logDirs);
        Objects.requireNonNull(cleaner, "cleaner");
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("log.dirs must name at least one directory");
        }
        if (logDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().count() != logDirs.size()) {
            throw new IllegalArgumentException("log.dirs names a directory twice: " + logDirs);
        }
        if (retentionCheckIntervalMs <= 0
                || flushSchedulerIntervalMs <= 0
                || flushOffsetCheckpointIntervalMs <= 0
                || producerIdExpirationCheckIntervalMs <= 0
                || segmentMappingIdleMs < 2) {
            throw new IllegalArgumentException("log.retention.check.interval.ms, log.flush.scheduler.interval.ms, "
                    + "log.flush.offset.checkpoint.interval.ms and producer.id.expiration.check.interval.ms must be "
                    + "positive, log.segment.mapping.idle.ms at least 2");
        }
        if (recoveryThreadsPerDataDir <= 0) {
            throw new IllegalArgumentException(
                    "num.recovery.threads.per.data.dir must be positive, not " + recoveryThreadsPerDataDir);
        }
    }

    /** With {@code producer.id.expiration.check.interval.ms} and {@code log.segment.mapping.idle.ms} at their defaults. */
    public LogManagerConfig(
            List<Path> logDirs,
            LogConfig defaultLogConfig,
            long retentionCheckIntervalMs,
            long flushSchedulerIntervalMs,
            long flushOffsetCheckpointIntervalMs,
            int recoveryThreadsPerDataDir,
            CleanerConfig cleaner) {
        this(
                logDirs,
                defaultLogConfig,
                retentionCheckIntervalMs,
                flushSchedulerIntervalMs,
                flushOffsetCheckpointIntervalMs,
                recoveryThreadsPerDataDir,
                cleaner,
                DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                DEFAULT_SEGMENT_MAPPING_IDLE_MS);
    }

    /** The given directories with every other setting at its default. */
    public static LogManagerConfig of(List<Path> logDirs) {
        return new LogManagerConfig(
                logDirs,
                LogConfig.defaults(),
                DEFAULT_RETENTION_CHECK_INTERVAL_MS,
                DEFAULT_FLUSH_SCHEDULER_INTERVAL_MS,
                DEFAULT_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
                DEFAULT_RECOVERY_THREADS_PER_DATA_DIR,
                CleanerConfig.defaults(),
                DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                DEFAULT_SEGMENT_MAPPING_IDLE_MS);
    }
}
