package io.ferry.node.internal.broker.topic;

import io.ferry.record.TimestampType;
import io.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A topic's config overrides parsed strictly, over the broker's defaults. The keys are Kafka's
 * topic-level names that Ferry applies; any other key, a value that does not parse, or one out of
 * range is an {@link InvalidTopicConfigException} naming it, so CreateTopic can refuse it instead of
 * every broker ignoring it later; so is a {@code min.insync.replicas} above the replication factor
 * ({@link #requireReachable}).
 */
public record TopicOverrides(LogConfig logConfig, int minInsyncReplicas) {

    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    static final List<String> KEYS = List.of("max.message.bytes", "message.timestamp.after.max.ms",
            "message.timestamp.before.max.ms", "message.timestamp.type", MIN_INSYNC_REPLICAS, "retention.bytes",
            "retention.ms", "segment.bytes", "segment.ms");

    /** Longest key or value quoted back in an error. */
    private static final int QUOTED_LENGTH = 64;

    /** A config override that cannot be applied; the message names the entry and what is wrong. */
    public static final class InvalidTopicConfigException extends Exception {
        InvalidTopicConfigException(String message) {
            super(message);
        }
    }

    /** @throws InvalidTopicConfigException for the first offending entry in key order */
    static TopicOverrides parse(Map<String, String> overrides, LogConfig defaults, int defaultMinInsyncReplicas)
            throws InvalidTopicConfigException {
        LogConfig.Builder log = defaults.toBuilder();
        int minInsyncReplicas = defaultMinInsyncReplicas;
        for (Map.Entry<String, String> override : new TreeMap<>(overrides).entrySet()) {
            String key = override.getKey();
            String value = override.getValue().trim();
            switch (key) {
                case MIN_INSYNC_REPLICAS -> minInsyncReplicas = intValue(key, value);
                case "max.message.bytes" -> log.maxMessageBytes(intValue(key, value));
                case "segment.bytes" -> log.segmentBytes(intValue(key, value));
                case "segment.ms" -> log.segmentMs(longValue(key, value));
                case "retention.ms" -> log.retentionMs(longValue(key, value));
                case "retention.bytes" -> log.retentionBytes(longValue(key, value));
                case "message.timestamp.type" -> log.timestampType(timestampType(key, value));
                case "message.timestamp.before.max.ms" -> log.timestampBeforeMaxMs(longValue(key, value));
                case "message.timestamp.after.max.ms" -> log.timestampAfterMaxMs(longValue(key, value));
                default -> throw unknownKey(key);
            }
        }
        if (minInsyncReplicas < 1) {
            throw new InvalidTopicConfigException("min.insync.replicas is " + minInsyncReplicas + " but must be at least 1");
        }
        try {
            return new TopicOverrides(log.build(), minInsyncReplicas);
        } catch (IllegalArgumentException e) {
            throw new InvalidTopicConfigException(e.getMessage());
        }
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

    static InvalidTopicConfigException unknownKey(String key) {
        return new InvalidTopicConfigException("unknown topic config '" + quoted(key) + "'; the topic configs are "
                + String.join(", ", KEYS));
    }

    private static int intValue(String key, String value) throws InvalidTopicConfigException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidTopicConfigException(key + "=" + quoted(value) + " is not a 32-bit integer");
        }
    }

    private static long longValue(String key, String value) throws InvalidTopicConfigException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidTopicConfigException(key + "=" + quoted(value) + " is not a 64-bit integer");
        }
    }

    private static TimestampType timestampType(String key, String value) throws InvalidTopicConfigException {
        try {
            return TimestampType.forName(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidTopicConfigException(key + "=" + quoted(value) + " is not CreateTime or LogAppendTime");
        }
    }

    private static String quoted(String text) {
        String shown = text.length() > QUOTED_LENGTH ? text.substring(0, QUOTED_LENGTH) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
