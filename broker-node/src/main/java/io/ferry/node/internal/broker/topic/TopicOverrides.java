package io.ferry.node.internal.broker.topic;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigSources;
import io.ferry.config.ConfigValues;
import io.ferry.config.TopicKey;
import io.ferry.config.TopicKeys;
import io.ferry.record.CompressionType;
import io.ferry.record.TimestampType;
import io.ferry.storage.CleanupPolicy;
import io.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * A topic's config overrides parsed strictly, over the broker's defaults. The keys, their types and
 * valid values are declared in {@link TopicKeys}; any other key, a value that does not parse, or one out
 * of range is an {@link InvalidTopicConfigException} naming it, so CreateTopic can refuse it instead of
 * every broker ignoring it later; so is a {@code max.compaction.lag.ms} below {@code min.compaction.lag.ms}
 * (the topic's values, else the broker's) and a {@code min.insync.replicas} above the replication factor
 * ({@link #requireReachable}). {@link #LOG_SETTINGS} is the one place a topic key's value reaches a
 * {@link LogConfig}, for an override and for the broker's default alike.
 */
public record TopicOverrides(LogConfig logConfig, int minInsyncReplicas) {

    static final String MIN_INSYNC_REPLICAS = TopicKeys.MIN_INSYNC_REPLICAS.name();

    private static final ConfigOrigin ORIGIN = ConfigOrigin.supplied("topic config");

    /** Longest key quoted back in an error. */
    private static final int QUOTED_LENGTH = 64;

    /** How the value of a topic key that is a log setting is set on a {@link LogConfig}. */
    private record LogSetting<T>(TopicKey<T> key, BiConsumer<LogConfig.Builder, T> setter) {

        void apply(LogConfig.Builder log, ConfigValues values, ConfigKey<T> from) {
            setter.accept(log, values.get(from));
        }
    }

    /** Every topic key except {@code min.insync.replicas}, which replication reads, not the log. */
    private static final List<LogSetting<?>> LOG_SETTINGS = List.of(
            new LogSetting<>(TopicKeys.MAX_MESSAGE_BYTES, (log, v) -> log.maxMessageBytes(Math.toIntExact(v))),
            new LogSetting<>(TopicKeys.SEGMENT_BYTES, (log, v) -> log.segmentBytes(Math.toIntExact(v))),
            new LogSetting<>(TopicKeys.SEGMENT_MS, LogConfig.Builder::segmentMs),
            new LogSetting<>(TopicKeys.RETENTION_MS, LogConfig.Builder::retentionMs),
            new LogSetting<>(TopicKeys.RETENTION_BYTES, LogConfig.Builder::retentionBytes),
            new LogSetting<>(TopicKeys.MESSAGE_TIMESTAMP_TYPE, (log, v) -> log.timestampType(TimestampType.forName(v))),
            new LogSetting<>(TopicKeys.COMPRESSION_TYPE, (log, v) -> log.compression(storedCodec(v))),
            new LogSetting<>(TopicKeys.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, LogConfig.Builder::timestampBeforeMaxMs),
            new LogSetting<>(TopicKeys.MESSAGE_TIMESTAMP_AFTER_MAX_MS, LogConfig.Builder::timestampAfterMaxMs),
            new LogSetting<>(TopicKeys.CLEANUP_POLICY, (log, v) -> log.cleanupPolicy(CleanupPolicy.parse(v))),
            new LogSetting<>(TopicKeys.DELETE_RETENTION_MS, LogConfig.Builder::deleteRetentionMs),
            new LogSetting<>(TopicKeys.MIN_COMPACTION_LAG_MS, LogConfig.Builder::minCompactionLagMs),
            new LogSetting<>(TopicKeys.MAX_COMPACTION_LAG_MS, LogConfig.Builder::maxCompactionLagMs),
            new LogSetting<>(TopicKeys.MIN_CLEANABLE_DIRTY_RATIO, LogConfig.Builder::minCleanableDirtyRatio));

    /** A {@code compression.type} value as a log's codec: none for {@code producer}, Kafka's names otherwise. */
    private static Optional<CompressionType> storedCodec(String compressionType) {
        return switch (compressionType) {
            case "producer" -> Optional.empty();
            case "uncompressed" -> Optional.of(CompressionType.NONE);
            default -> Optional.of(CompressionType.forName(compressionType));
        };
    }

    /** A config override that cannot be applied; the message names the entry and what is wrong. */
    public static final class InvalidTopicConfigException extends Exception {
        InvalidTopicConfigException(String message) {
            super(message);
        }
    }

    /**
     * Sets on {@code log} the broker's default of every topic key that is a log setting: the node's value
     * of the key's {@link TopicKey#serverDefault() server default} ({@code log.retention.ms} for
     * {@code retention.ms}).
     *
     * @param node the node's resolved configuration
     */
    public static LogConfig.Builder withServerDefaults(LogConfig.Builder log, ConfigValues node) {
        for (LogSetting<?> setting : LOG_SETTINGS) {
            applyServerDefault(setting, log, node);
        }
        return log;
    }

    private static <T> void applyServerDefault(LogSetting<T> setting, LogConfig.Builder log, ConfigValues node) {
        setting.apply(log, node, setting.key().serverDefault());
    }

    /**
     * @throws InvalidTopicConfigException for the first unknown key in key order, else naming every value that
     *                                     does not parse or is out of range, else naming the keys of a rule
     *                                     across keys that the values break
     */
    static TopicOverrides parse(Map<String, String> overrides, LogConfig defaults, int defaultMinInsyncReplicas)
            throws InvalidTopicConfigException {
        for (String key : new TreeSet<>(overrides.keySet())) {
            if (!isTopicKey(key)) {
                throw unknownKey(key);
            }
        }
        ConfigValues values;
        try {
            values = TopicKeys.DEFINITION.resolve(ConfigSources.supplied(overrides, ORIGIN));
        } catch (ConfigException e) {
            throw new InvalidTopicConfigException(
                    e.problems().stream().map(p -> p.key() + ": " + p.message()).collect(Collectors.joining("; ")));
        }
        LogConfig.Builder log = defaults.toBuilder();
        for (LogSetting<?> setting : LOG_SETTINGS) {
            applyOverride(setting, log, values);
        }
        int minInsyncReplicas = overridden(values, TopicKeys.MIN_INSYNC_REPLICAS)
                ? values.get(TopicKeys.MIN_INSYNC_REPLICAS.key())
                : defaultMinInsyncReplicas;
        requireCompactionLagsInOrder(values, defaults);
        try {
            return new TopicOverrides(log.build(), minInsyncReplicas);
        } catch (IllegalArgumentException e) {
            // A rule of storage's across keys that has no check of its own here: its message names the keys.
            throw new InvalidTopicConfigException(e.getMessage());
        }
    }

    /** Kafka's rule across keys: a record cannot have to be compacted before it may be. */
    private static void requireCompactionLagsInOrder(ConfigValues values, LogConfig defaults)
            throws InvalidTopicConfigException {
        TopicKey<Long> minKey = TopicKeys.MIN_COMPACTION_LAG_MS;
        TopicKey<Long> maxKey = TopicKeys.MAX_COMPACTION_LAG_MS;
        long min = overridden(values, minKey) ? values.get(minKey.key()) : defaults.minCompactionLagMs();
        long max = overridden(values, maxKey) ? values.get(maxKey.key()) : defaults.maxCompactionLagMs();
        if (max < min) {
            throw new InvalidTopicConfigException(maxKey.name() + " " + max
                    + (overridden(values, maxKey) ? "" : " (the broker default)") + " is below " + minKey.name() + " "
                    + min + (overridden(values, minKey) ? "" : " (the broker default)")
                    + ", so a record would have to be compacted before it may be; set " + maxKey.name()
                    + " to at least " + minKey.name());
        }
    }

    private static <T> void applyOverride(LogSetting<T> setting, LogConfig.Builder log, ConfigValues values) {
        if (overridden(values, setting.key())) {
            setting.apply(log, values, setting.key().key());
        }
    }

    private static boolean overridden(ConfigValues values, TopicKey<?> key) {
        return values.origin(key.key()).kind() != ConfigOrigin.Kind.DEFAULT;
    }

    /**
     * Refuses a {@code min.insync.replicas} that a topic of {@code replicationFactor} replicas can never
     * reach: every acks=all produce to it would fail with NOT_ENOUGH_REPLICAS.
     *
     * @param overridden whether the value is the topic's own override, not the broker's default
     */
    void requireReachable(int replicationFactor, boolean overridden) throws InvalidTopicConfigException {
        if (minInsyncReplicas > replicationFactor) {
            throw new InvalidTopicConfigException(MIN_INSYNC_REPLICAS + " " + minInsyncReplicas
                    + (overridden ? "" : " (the broker default)") + " is above the replication factor "
                    + replicationFactor + ", so no acks=all produce could ever succeed; set " + MIN_INSYNC_REPLICAS
                    + " to at most " + replicationFactor);
        }
    }

    static boolean isTopicKey(String key) {
        return TopicKeys.DEFINITION.key(key).isPresent();
    }

    static InvalidTopicConfigException unknownKey(String key) {
        return new InvalidTopicConfigException("unknown topic config '" + quoted(key) + "'; the topic configs are "
                + TopicKeys.ALL.stream().map(TopicKey::name).sorted().collect(Collectors.joining(", ")));
    }

    private static String quoted(String text) {
        String shown = text.length() > QUOTED_LENGTH ? text.substring(0, QUOTED_LENGTH) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
