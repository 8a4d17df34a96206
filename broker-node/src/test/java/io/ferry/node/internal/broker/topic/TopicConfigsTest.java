package io.ferry.node.internal.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.storage.LogConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A topic's effective settings follow its record through changes, though each record is parsed once. */
class TopicConfigsTest {

    private static BrokerMetadata viewWith(String topic, String minInsync) {
        return new BrokerMetadata(
                1,
                Map.of(),
                Map.of(
                        topic,
                        TopicRecord.newBuilder()
                                .setName(topic)
                                .setPartitionCount(1)
                                .setReplicationFactor(3)
                                .putConfigs("min.insync.replicas", minInsync)
                                .build()),
                Map.of());
    }

    @Test
    void aChangedOverrideTakesEffectAndADeletedTopicFallsBackToTheDefaults() {
        AtomicReference<BrokerMetadata> view = new AtomicReference<>(viewWith("orders", "2"));
        TopicConfigs configs = new TopicConfigs(LogConfig.defaults(), 1, view::get);
        assertEquals(2, configs.minInsyncReplicas("orders"));
        assertEquals(2, configs.minInsyncReplicas("orders"));

        view.set(viewWith("orders", "3"));
        assertEquals(3, configs.minInsyncReplicas("orders"));

        view.set(viewWith("payments", "2"));
        assertEquals(1, configs.minInsyncReplicas("orders"));
        assertEquals(2, configs.minInsyncReplicas("payments"));
    }
}
