package io.ferry.node.internal.broker.topic;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.storage.LogConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topic's effective settings: the broker defaults with the topic's overrides from its metadata
 * record ({@link TopicOverrides}). CreateTopic refuses overrides that do not parse, so a topic whose
 * stored overrides still fail (written by an older version, or straight to the controllers) gets the
 * broker defaults, with a warning. Thread-safe.
 */
public final class TopicConfigs {

    private static final Logger log = LoggerFactory.getLogger(TopicConfigs.class);

    private final LogConfig defaults;
    private final int defaultMinInsyncReplicas;
    private final Supplier<BrokerMetadata> metadata;
    /**
     * The overrides parsed from each topic's record, reused while the metadata view holds that same record
     * (a change replaces it): every append asks for {@code min.insync.replicas}.
     */
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(TopicRecord record, TopicOverrides overrides) {}

    public TopicConfigs(LogConfig defaults, int defaultMinInsyncReplicas, Supplier<BrokerMetadata> metadata) {
        this.defaults = defaults;
        this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
        this.metadata = metadata;
    }

    /** Checks a new topic's overrides as this broker would apply them. */
    TopicOverrides validate(Map<String, String> overrides) throws InvalidTopicConfigException {
        return TopicOverrides.parse(overrides, defaults, defaultMinInsyncReplicas);
    }

    /**
     * Checks a change to {@code topic}'s overrides: every key deleted is a topic config, the overrides
     * after the change (from this broker's view) parse as this broker would apply them, and a change of
     * {@code min.insync.replicas} leaves one the topic's replication factor can reach. A topic created
     * before that check with one it cannot reach keeps it through changes of other keys.
     */
    void validateChange(String topic, Map<String, String> set, List<String> delete) throws InvalidTopicConfigException {
        for (String key : delete) {
            if (!TopicOverrides.isTopicKey(key)) {
                throw TopicOverrides.unknownKey(key);
            }
        }
        TopicRecord record = metadata.get().topics().get(topic);
        Map<String, String> after = new HashMap<>(record == null ? Map.of() : record.getConfigsMap());
        after.putAll(set);
        delete.forEach(after::remove);
        TopicOverrides overrides = validate(after);
        String minInsync = TopicOverrides.MIN_INSYNC_REPLICAS;
        if (record != null && (set.containsKey(minInsync) || delete.contains(minInsync))) {
            overrides.requireReachable(record.getReplicationFactor(), after.containsKey(minInsync));
        }
    }

    public int minInsyncReplicas(String topic) {
        return effective(topic).minInsyncReplicas();
    }

    public LogConfig logConfig(String topic) {
        return effective(topic).logConfig();
    }

    private TopicOverrides effective(String topic) {
        Map<String, TopicRecord> topics = metadata.get().topics();
        TopicRecord record = topics.get(topic);
        if (record == null || record.getConfigsCount() == 0) {
            return new TopicOverrides(defaults, defaultMinInsyncReplicas);
        }
        Parsed cached = parsed.get(topic);
        if (cached != null && cached.record() == record) {
            return cached.overrides();
        }
        TopicOverrides overrides;
        try {
            overrides = validate(record.getConfigsMap());
        } catch (InvalidTopicConfigException e) {
            log.warn("Ignoring the config overrides of topic {}: {}", topic, e.getMessage());
            overrides = new TopicOverrides(defaults, defaultMinInsyncReplicas);
        }
        if (parsed.size() >= topics.size()) {
            // Deleted topics' entries go, so the cache never holds more than the view's topics.
            parsed.keySet().retainAll(topics.keySet());
        }
        parsed.put(topic, new Parsed(record, overrides));
        return overrides;
    }
}
