package io.ferry.node.internal.broker;

import io.ferry.proto.v1.TopicRecord;
import io.ferry.storage.LogConfig;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topic's effective settings: the broker defaults with the topic's overrides from its metadata
 * record (Kafka's topic-level names: {@code min.insync.replicas}, {@code max.message.bytes},
 * {@code segment.bytes}, {@code segment.ms}, {@code retention.ms}, {@code retention.bytes}). An
 * override that does not parse or is out of range is ignored with a warning, keeping the default:
 * the controller stores overrides as text. Thread-safe.
 */
final class TopicConfigs {

    private static final Logger log = LoggerFactory.getLogger(TopicConfigs.class);

    private final LogConfig defaults;
    private final int defaultMinInsyncReplicas;
    private final Supplier<BrokerMetadata> metadata;

    TopicConfigs(LogConfig defaults, int defaultMinInsyncReplicas, Supplier<BrokerMetadata> metadata) {
        this.defaults = defaults;
        this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
        this.metadata = metadata;
    }

    private Map<String, String> overrides(String topic) {
        TopicRecord record = metadata.get().topics().get(topic);
        return record == null ? Map.of() : record.getConfigsMap();
    }

    int minInsyncReplicas(String topic) {
        String value = overrides(topic).get("min.insync.replicas");
        if (value != null) {
            try {
                int parsed = Integer.parseInt(value.trim());
                if (parsed >= 1) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
            log.warn("Ignoring min.insync.replicas={} of topic {}: not a positive integer", value, topic);
        }
        return defaultMinInsyncReplicas;
    }

    LogConfig logConfig(String topic) {
        Map<String, String> overrides = overrides(topic);
        if (overrides.isEmpty()) {
            return defaults;
        }
        LogConfig.Builder b = defaults.toBuilder();
        overrides.forEach((key, value) -> {
            try {
                switch (key) {
                    case "max.message.bytes" -> b.maxMessageBytes(Integer.parseInt(value.trim()));
                    case "segment.bytes" -> b.segmentBytes(Integer.parseInt(value.trim()));
                    case "segment.ms" -> b.segmentMs(Long.parseLong(value.trim()));
                    case "retention.ms" -> b.retentionMs(Long.parseLong(value.trim()));
                    case "retention.bytes" -> b.retentionBytes(Long.parseLong(value.trim()));
                    default -> {
                        // Not a log setting (min.insync.replicas) or not one this broker knows.
                    }
                }
            } catch (NumberFormatException e) {
                log.warn("Ignoring {}={} of topic {}: not a number", key, value, topic);
            }
        });
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            log.warn("Ignoring the log overrides of topic {}: {}", topic, e.getMessage());
            return defaults;
        }
    }
}
