package io.ferry.config;

import static io.ferry.config.Importance.HIGH;
import static io.ferry.config.Importance.MEDIUM;
import static io.ferry.config.Validators.atLeast;
import static io.ferry.config.Validators.between;

import java.util.List;

/**
 * Every topic-level key: the overrides a topic may carry in {@code CreateTopic} and
 * {@code AlterTopicConfigs}, with Kafka's names. A topic that does not set one takes the broker's value
 * of its {@link TopicKey#serverDefault()}. The one place these keys are declared; a broker maps their
 * values onto a log's settings in one place too ({@code TopicOverrides} in broker-node).
 */
public final class TopicKeys {

    private static final long INT_MAX = Integer.MAX_VALUE;

    /**
     * The smallest segment storage accepts: one minimal batch. Below {@code log.segment.bytes}'s lower
     * bound, as Kafka's {@code internal.segment.bytes}, so a topic (a test's, say) can roll tiny segments.
     */
    private static final long MIN_SEGMENT_BYTES = 61;

    public static final TopicKey<Integer> MIN_INSYNC_REPLICAS = TopicKey.define(
            "min.insync.replicas",
            NodeKeys.MIN_INSYNC_REPLICAS,
            between(1, INT_MAX),
            HIGH,
            "With `acks=all`, a produce request to the topic is rejected with NOT_ENOUGH_REPLICAS when fewer "
                    + "replicas than this are in the ISR. Refused when above the topic's replication factor: no "
                    + "`acks=all` produce could ever succeed.");

    public static final TopicKey<Long> MAX_MESSAGE_BYTES = TopicKey.define(
            "max.message.bytes",
            NodeKeys.MESSAGE_MAX_BYTES,
            between(1, INT_MAX),
            HIGH,
            "Largest record batch the topic accepts (BATCH_TOO_LARGE above it).");

    public static final TopicKey<Long> RETENTION_MS = TopicKey.define(
            "retention.ms",
            NodeKeys.LOG_RETENTION_MS,
            atLeast(-1),
            HIGH,
            "A closed segment of the topic whose newest record is older than this is deleted. -1: no time limit.");

    public static final TopicKey<Long> RETENTION_BYTES = TopicKey.define(
            "retention.bytes",
            NodeKeys.LOG_RETENTION_BYTES,
            atLeast(-1),
            HIGH,
            "Oldest segments of a partition are deleted while its log is larger than this. -1: no size limit.");

    public static final TopicKey<Long> SEGMENT_BYTES = TopicKey.define(
            "segment.bytes",
            NodeKeys.LOG_SEGMENT_BYTES,
            between(MIN_SEGMENT_BYTES, INT_MAX),
            MEDIUM,
            "Size at which a partition's active segment is rolled.");

    public static final TopicKey<Long> SEGMENT_MS = TopicKey.define(
            "segment.ms",
            NodeKeys.LOG_ROLL_MS,
            atLeast(1),
            MEDIUM,
            "Age (from its first batch's timestamp) at which a partition's active segment is rolled even if "
                    + "not full.");

    public static final TopicKey<String> COMPRESSION_TYPE = TopicKey.define(
            "compression.type",
            NodeKeys.COMPRESSION_TYPE,
            Validators.oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"),
            MEDIUM,
            "The codec the topic's batches are stored in: `producer` keeps each producer's; a codec name makes "
                    + "the leader convert batches in another codec, and RecordService's Publish encode in it.");

    public static final TopicKey<String> MESSAGE_TIMESTAMP_TYPE = TopicKey.define(
            "message.timestamp.type",
            NodeKeys.LOG_MESSAGE_TIMESTAMP_TYPE,
            Validators.oneOf("CreateTime", "LogAppendTime"),
            MEDIUM,
            "`CreateTime` keeps each record's producer timestamp; `LogAppendTime` makes the leader stamp its "
                    + "clock on every batch it appends.");

    public static final TopicKey<Long> MESSAGE_TIMESTAMP_BEFORE_MAX_MS = TopicKey.define(
            "message.timestamp.before.max.ms",
            NodeKeys.LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
            atLeast(0),
            MEDIUM,
            "With `CreateTime`, a batch holding a record timestamp further than this in the past of the "
                    + "leader's clock is refused (INVALID_TIMESTAMP).");

    public static final TopicKey<Long> MESSAGE_TIMESTAMP_AFTER_MAX_MS = TopicKey.define(
            "message.timestamp.after.max.ms",
            NodeKeys.LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            atLeast(0),
            MEDIUM,
            "With `CreateTime`, a batch holding a record timestamp further than this in the future of the "
                    + "leader's clock is refused (INVALID_TIMESTAMP), so a producer's wrong clock cannot keep "
                    + "segments from retention.");

    public static final TopicKey<String> CLEANUP_POLICY = TopicKey.define(
            "cleanup.policy",
            NodeKeys.LOG_CLEANUP_POLICY,
            Validators.cleanupPolicy(),
            MEDIUM,
            "What happens to the topic's old records. `delete`: closed segments are deleted by `retention.ms` "
                    + "and `retention.bytes`. `compact`: log compaction keeps the latest record of each key and "
                    + "drops older ones, and a tombstone (a key with no value) deletes its key after "
                    + "`delete.retention.ms`. `compact,delete` (either order): both, "
                    + "compacted segments are deleted by retention too.");

    public static final TopicKey<Long> DELETE_RETENTION_MS = TopicKey.define(
            "delete.retention.ms",
            NodeKeys.LOG_CLEANER_DELETE_RETENTION_MS,
            atLeast(0),
            MEDIUM,
            "For a compacted topic, how long a tombstone survives compaction after its segment was last "
                    + "written: a consumer that reads a compacted partition from its start within this time sees "
                    + "every delete, not only the keys that are left.");

    public static final TopicKey<Long> MIN_COMPACTION_LAG_MS = TopicKey.define(
            "min.compaction.lag.ms",
            NodeKeys.LOG_CLEANER_MIN_COMPACTION_LAG_MS,
            atLeast(0),
            MEDIUM,
            "For a compacted topic, the least time a record stays uncompacted: a segment holding a younger "
                    + "record is not compacted yet, so a consumer lagging less than this sees every update.");

    public static final TopicKey<Long> MAX_COMPACTION_LAG_MS = TopicKey.define(
            "max.compaction.lag.ms",
            NodeKeys.LOG_CLEANER_MAX_COMPACTION_LAG_MS,
            atLeast(1),
            MEDIUM,
            "For a compacted topic, the most time a record stays ineligible for compaction: the active segment "
                    + "rolls at this age, and a log holding an uncompacted record older than this is cleaned "
                    + "whatever its dirty ratio. Refused below `min.compaction.lag.ms`.");

    public static final TopicKey<Double> MIN_CLEANABLE_DIRTY_RATIO = TopicKey.define(
            "min.cleanable.dirty.ratio",
            NodeKeys.LOG_CLEANER_MIN_CLEANABLE_RATIO,
            Validators.fraction(),
            MEDIUM,
            "For a compacted topic, how often it is cleaned: once its dirty (not yet compacted) bytes are at "
                    + "least this share of its cleanable bytes or, whatever the ratio, once a dirty record is older "
                    + "than `max.compaction.lag.ms`. Higher: fewer, more efficient cleanings, and more space held by "
                    + "superseded records (at 0.5, at most about half of the log).");

    /** All keys above, in name order. */
    public static final List<TopicKey<?>> ALL = List.of(
            CLEANUP_POLICY,
            COMPRESSION_TYPE,
            DELETE_RETENTION_MS,
            MAX_COMPACTION_LAG_MS,
            MAX_MESSAGE_BYTES,
            MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
            MESSAGE_TIMESTAMP_TYPE,
            MIN_CLEANABLE_DIRTY_RATIO,
            MIN_COMPACTION_LAG_MS,
            MIN_INSYNC_REPLICAS,
            RETENTION_BYTES,
            RETENTION_MS,
            SEGMENT_BYTES,
            SEGMENT_MS);

    /** The declarations of {@link #ALL}, to resolve a topic's overrides against. */
    public static final ConfigDef DEFINITION =
            ConfigDef.of(ALL.stream().map(TopicKey::key).toArray(ConfigKey<?>[]::new));

    private TopicKeys() {}
}
