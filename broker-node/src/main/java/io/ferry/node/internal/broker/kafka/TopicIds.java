package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;

/**
 * Topic names for the topic ids KIP-848's heartbeat speaks in, from the broker's metadata view; rebuilt when
 * the view changes. Thread-safe.
 */
final class TopicIds {

    private record Index(long version, Map<Uuid, String> names) {}

    private final Supplier<BrokerMetadata> metadata;
    private volatile Index index = new Index(-1, Map.of());

    TopicIds(Supplier<BrokerMetadata> metadata) {
        this.metadata = metadata;
    }

    /** The topic with id {@code id}, if the view has it. */
    Optional<String> name(Uuid id) {
        BrokerMetadata view = metadata.get();
        Index current = index;
        if (current.version() != view.version()) {
            Map<Uuid, String> names = new HashMap<>();
            view.topics().forEach((name, topic) -> names.put(KafkaMetadata.topicId(topic.getTopicId()), name));
            current = new Index(view.version(), Map.copyOf(names));
            index = current;
        }
        return Optional.ofNullable(current.names().get(id));
    }

    /** The id of {@code topic}, or none when the view does not have it. */
    Uuid id(String topic) {
        var record = metadata.get().topics().get(topic);
        return record == null ? Uuid.ZERO_UUID : KafkaMetadata.topicId(record.getTopicId());
    }
}
