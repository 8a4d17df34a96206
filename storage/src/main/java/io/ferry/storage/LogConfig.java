package io.ferry.storage;

import io.ferry.record.CompressionType;
import io.ferry.record.TimestampType;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-partition log settings, with Kafka's topic-level names and defaults. Immutable; build one
 * with {@link #builder()} (which starts from the defaults) or take {@link #defaults()}.
 *
 * @param segmentBytes          {@code segment.bytes}: a segment rolls before it would exceed this size
 * @param segmentMs             {@code segment.ms}: a non-empty segment rolls once its first batch is this old
 * @param indexIntervalBytes    {@code index.interval.bytes}: bytes of log between two offset-index entries
 * @param segmentIndexBytes     {@code segment.index.bytes}: preallocated size of each index file; a full
 *                              index rolls the segment
 * @param retentionMs           {@code retention.ms}: segments whose newest timestamp is older are deleted;
 *                              negative means keep forever
 * @param retentionBytes        {@code retention.bytes}: oldest segments are deleted while the log is larger;
 *                              negative means no limit
 * @param flushIntervalMessages {@code flush.messages}: fsync after this many records; {@link Long#MAX_VALUE}
 *                              (the default) leaves durability to replication
 * @param flushIntervalMs       {@code flush.ms}: fsync when the oldest unflushed append is this old
 * @param maxMessageBytes       {@code max.message.bytes}: the largest batch accepted, in bytes
 * @param fileDeleteDelayMs     {@code file.delete.delay.ms}: how long a removed segment's files stay on disk
 *                              (renamed {@code .deleted}) before they are unlinked
 * @param timestampType         {@code message.timestamp.type}: keep the producer's record timestamps
 *                              (CreateTime) or stamp the leader's clock on every batch (LogAppendTime)
 * @param timestampBeforeMaxMs  {@code message.timestamp.before.max.ms}: with CreateTime, the furthest a record
 *                              timestamp may lie in the past of the leader's clock
 * @param timestampAfterMaxMs   {@code message.timestamp.after.max.ms}: with CreateTime, the furthest a record
 *                              timestamp may lie in the future of the leader's clock
 * @param cleanupPolicy         {@code cleanup.policy}: delete old segments, compact to the latest record per
 *                              key, or both
 * @param deleteRetentionMs     {@code delete.retention.ms}: how long after its segment was last modified a
 *                              tombstone survives compaction, so a consumer that read the deleted key sees it go
 * @param minCompactionLagMs    {@code min.compaction.lag.ms}: a segment whose newest record is younger is not
 *                              compacted yet, so a consumer lagging less than this sees every update
 * @param maxCompactionLagMs    {@code max.compaction.lag.ms}: a record stays uncompacted at most about this
 *                              long: the active segment rolls at this age, and a log with a dirty record
 *                              older than this is cleaned whatever its dirty ratio
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: a log is cleaned once its dirty bytes
 *                              are at least this share of its cleanable bytes
 * @param producerIdExpirationMs {@code producer.id.expiration.ms}: a producer whose last batch's timestamp is
 *                              this old is forgotten (a broker setting in Kafka, kept here per log like the
 *                              others); its next batch is then accepted at any sequence
 * @param maxProducerIds        {@code max.producer.ids.per.partition} (Ferry's; Kafka has no such bound and
 *                              throttles InitProducerId instead, KIP-936): the most producer ids a leader
 *                              tracks in one partition; a batch of a new id beyond it is refused
 * @param compression           {@code compression.type}: the codec the leader stores every batch in, converting
 *                              a producer's batch in another codec; empty ({@code producer}, the default) keeps
 *                              each batch in the producer's codec
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int indexIntervalBytes,
        int segmentIndexBytes,
        long retentionMs,
        long retentionBytes,
        long flushIntervalMessages,
        long flushIntervalMs,
        int maxMessageBytes,
        long fileDeleteDelayMs,
        TimestampType timestampType,
        long timestampBeforeMaxMs,
        long timestampAfterMaxMs,
        CleanupPolicy cleanupPolicy,
        long deleteRetentionMs,
        long minCompactionLagMs,
        long maxCompactionLagMs,
        double minCleanableDirtyRatio,
        long producerIdExpirationMs,
        int maxProducerIds,
        Optional<CompressionType> compression) {

    public static final int DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final int DEFAULT_SEGMENT_INDEX_BYTES = 10 * 1024 * 1024;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_BYTES = -1L;
    public static final long DEFAULT_FLUSH_INTERVAL_MESSAGES = Long.MAX_VALUE;
    public static final long DEFAULT_FLUSH_INTERVAL_MS = Long.MAX_VALUE;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;
    public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000L;
    public static final TimestampType DEFAULT_TIMESTAMP_TYPE = TimestampType.CREATE_TIME;
    public static final long DEFAULT_TIMESTAMP_BEFORE_MAX_MS = Long.MAX_VALUE;
    /** Kafka 4's default: a producer clock an hour ahead is refused, so it cannot pin segments against retention. */
    public static final long DEFAULT_TIMESTAMP_AFTER_MAX_MS = 60 * 60 * 1000L;

    public static final CleanupPolicy DEFAULT_CLEANUP_POLICY = CleanupPolicy.DELETE;
    /** Kafka's default: a tombstone outlives its segment's last modification by a day. */
    public static final long DEFAULT_DELETE_RETENTION_MS = 24 * 60 * 60 * 1000L;

    public static final long DEFAULT_MIN_COMPACTION_LAG_MS = 0L;
    public static final long DEFAULT_MAX_COMPACTION_LAG_MS = Long.MAX_VALUE;
    public static final double DEFAULT_MIN_CLEANABLE_DIRTY_RATIO = 0.5;

    /** Kafka's default: a producer silent for a day is forgotten. */
    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24 * 60 * 60 * 1000L;
    /** About 3 MB of producer state per partition at most: a producer with five batches takes about 300 bytes of heap. */
    public static final int DEFAULT_MAX_PRODUCER_IDS = 10_000;

    /** The smallest segment that still holds one minimal batch. */
    static final int MIN_SEGMENT_BYTES = 61;
    /** The smallest index that holds one entry of either kind. */
    static final int MIN_SEGMENT_INDEX_BYTES = 12;

    public LogConfig {
        require(segmentBytes >= MIN_SEGMENT_BYTES, "segment.bytes", segmentBytes, "at least " + MIN_SEGMENT_BYTES);
        require(segmentMs > 0, "segment.ms", segmentMs, "positive");
        require(indexIntervalBytes >= 0, "index.interval.bytes", indexIntervalBytes, "non-negative");
        require(
                segmentIndexBytes >= MIN_SEGMENT_INDEX_BYTES,
                "segment.index.bytes",
                segmentIndexBytes,
                "at least " + MIN_SEGMENT_INDEX_BYTES);
        require(retentionMs >= -1, "retention.ms", retentionMs, "-1 (no limit) or more");
        require(retentionBytes >= -1, "retention.bytes", retentionBytes, "-1 (no limit) or more");
        require(flushIntervalMessages > 0, "flush.messages", flushIntervalMessages, "positive");
        require(flushIntervalMs > 0, "flush.ms", flushIntervalMs, "positive");
        require(maxMessageBytes > 0, "max.message.bytes", maxMessageBytes, "positive");
        require(fileDeleteDelayMs >= 0, "file.delete.delay.ms", fileDeleteDelayMs, "non-negative");
        Objects.requireNonNull(timestampType, "message.timestamp.type");
        require(timestampBeforeMaxMs >= 0, "message.timestamp.before.max.ms", timestampBeforeMaxMs, "non-negative");
        require(timestampAfterMaxMs >= 0, "message.timestamp.after.max.ms", timestampAfterMaxMs, "non-negative");
        Objects.requireNonNull(cleanupPolicy, "cleanup.policy");
        require(deleteRetentionMs >= 0, "delete.retention.ms", deleteRetentionMs, "non-negative");
        require(minCompactionLagMs >= 0, "min.compaction.lag.ms", minCompactionLagMs, "non-negative");
        require(maxCompactionLagMs > 0, "max.compaction.lag.ms", maxCompactionLagMs, "positive");
        if (maxCompactionLagMs < minCompactionLagMs) {
            throw new IllegalArgumentException("max.compaction.lag.ms is " + maxCompactionLagMs
                    + " but must be at least min.compaction.lag.ms (" + minCompactionLagMs + ")");
        }
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException(
                    "min.cleanable.dirty.ratio is " + minCleanableDirtyRatio + " but must be in [0, 1]");
        }
        require(producerIdExpirationMs > 0, "producer.id.expiration.ms", producerIdExpirationMs, "positive");
        require(maxProducerIds > 0, "max.producer.ids.per.partition", maxProducerIds, "positive");
        Objects.requireNonNull(compression, "compression.type");
    }

    private static void require(boolean ok, String key, long value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + " is " + value + " but must be " + expected);
        }
    }

    /** Kafka's defaults for every setting. */
    public static LogConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        return new Builder()
                .segmentBytes(segmentBytes)
                .segmentMs(segmentMs)
                .indexIntervalBytes(indexIntervalBytes)
                .segmentIndexBytes(segmentIndexBytes)
                .retentionMs(retentionMs)
                .retentionBytes(retentionBytes)
                .flushIntervalMessages(flushIntervalMessages)
                .flushIntervalMs(flushIntervalMs)
                .maxMessageBytes(maxMessageBytes)
                .fileDeleteDelayMs(fileDeleteDelayMs)
                .timestampType(timestampType)
                .timestampBeforeMaxMs(timestampBeforeMaxMs)
                .timestampAfterMaxMs(timestampAfterMaxMs)
                .cleanupPolicy(cleanupPolicy)
                .deleteRetentionMs(deleteRetentionMs)
                .minCompactionLagMs(minCompactionLagMs)
                .maxCompactionLagMs(maxCompactionLagMs)
                .minCleanableDirtyRatio(minCleanableDirtyRatio)
                .producerIdExpirationMs(producerIdExpirationMs)
                .maxProducerIds(maxProducerIds)
                .compression(compression);
    }

    /**
     * The age at which the active segment rolls: {@code segment.ms}, or {@code max.compaction.lag.ms} if
     * the log is compacted and that is shorter (as Kafka rolls), so no record waits in the active segment,
     * which is never cleaned, longer than the lag allows.
     */
    public long effectiveSegmentMs() {
        return cleanupPolicy.compacts() ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    }

    /** Collects settings, starting from the defaults; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;
        private long segmentMs = DEFAULT_SEGMENT_MS;
        private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
        private int segmentIndexBytes = DEFAULT_SEGMENT_INDEX_BYTES;
        private long retentionMs = DEFAULT_RETENTION_MS;
        private long retentionBytes = DEFAULT_RETENTION_BYTES;
        private long flushIntervalMessages = DEFAULT_FLUSH_INTERVAL_MESSAGES;
        private long flushIntervalMs = DEFAULT_FLUSH_INTERVAL_MS;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private long fileDeleteDelayMs = DEFAULT_FILE_DELETE_DELAY_MS;
        private TimestampType timestampType = DEFAULT_TIMESTAMP_TYPE;
        private long timestampBeforeMaxMs = DEFAULT_TIMESTAMP_BEFORE_MAX_MS;
        private long timestampAfterMaxMs = DEFAULT_TIMESTAMP_AFTER_MAX_MS;
        private CleanupPolicy cleanupPolicy = DEFAULT_CLEANUP_POLICY;
        private long deleteRetentionMs = DEFAULT_DELETE_RETENTION_MS;
        private long minCompactionLagMs = DEFAULT_MIN_COMPACTION_LAG_MS;
        private long maxCompactionLagMs = DEFAULT_MAX_COMPACTION_LAG_MS;
        private double minCleanableDirtyRatio = DEFAULT_MIN_CLEANABLE_DIRTY_RATIO;
        private long producerIdExpirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS;
        private int maxProducerIds = DEFAULT_MAX_PRODUCER_IDS;
        private Optional<CompressionType> compression = Optional.empty();

        private Builder() {}

        public Builder segmentBytes(int value) {
            segmentBytes = value;
            return this;
        }

        public Builder segmentMs(long value) {
            segmentMs = value;
            return this;
        }

        public Builder indexIntervalBytes(int value) {
            indexIntervalBytes = value;
            return this;
        }

        public Builder segmentIndexBytes(int value) {
            segmentIndexBytes = value;
            return this;
        }

        public Builder retentionMs(long value) {
            retentionMs = value;
            return this;
        }

        public Builder retentionBytes(long value) {
            retentionBytes = value;
            return this;
        }

        public Builder flushIntervalMessages(long value) {
            flushIntervalMessages = value;
            return this;
        }

        public Builder flushIntervalMs(long value) {
            flushIntervalMs = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        public Builder fileDeleteDelayMs(long value) {
            fileDeleteDelayMs = value;
            return this;
        }

        public Builder timestampType(TimestampType value) {
            timestampType = value;
            return this;
        }

        public Builder timestampBeforeMaxMs(long value) {
            timestampBeforeMaxMs = value;
            return this;
        }

        public Builder timestampAfterMaxMs(long value) {
            timestampAfterMaxMs = value;
            return this;
        }

        public Builder cleanupPolicy(CleanupPolicy value) {
            cleanupPolicy = value;
            return this;
        }

        public Builder deleteRetentionMs(long value) {
            deleteRetentionMs = value;
            return this;
        }

        public Builder minCompactionLagMs(long value) {
            minCompactionLagMs = value;
            return this;
        }

        public Builder maxCompactionLagMs(long value) {
            maxCompactionLagMs = value;
            return this;
        }

        public Builder minCleanableDirtyRatio(double value) {
            minCleanableDirtyRatio = value;
            return this;
        }

        public Builder producerIdExpirationMs(long value) {
            producerIdExpirationMs = value;
            return this;
        }

        public Builder maxProducerIds(int value) {
            maxProducerIds = value;
            return this;
        }

        /** The codec every batch is stored in; empty keeps the producer's ({@code compression.type=producer}). */
        public Builder compression(Optional<CompressionType> value) {
            compression = value;
            return this;
        }

        public LogConfig build() {
            return new LogConfig(
                    segmentBytes,
                    segmentMs,
                    indexIntervalBytes,
                    segmentIndexBytes,
                    retentionMs,
                    retentionBytes,
                    flushIntervalMessages,
                    flushIntervalMs,
                    maxMessageBytes,
                    fileDeleteDelayMs,
                    timestampType,
                    timestampBeforeMaxMs,
                    timestampAfterMaxMs,
                    cleanupPolicy,
                    deleteRetentionMs,
                    minCompactionLagMs,
                    maxCompactionLagMs,
                    minCleanableDirtyRatio,
                    producerIdExpirationMs,
                    maxProducerIds,
                    compression);
        }
    }
}
