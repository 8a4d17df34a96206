package io.ferry.node.internal.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRequest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetsTopicCreationTest {

    private static BrokerMetadata brokers(int live, int fenced) {
        Map<Integer, BrokerRegistration> brokers = new HashMap<>();
        for (int id = 1; id <= live + fenced; id++) {
            brokers.put(
                    id,
                    BrokerRegistration.newBuilder()
                            .setBrokerId(id)
                            .setFenced(id > live)
                            .build());
        }
        return new BrokerMetadata(1, brokers, Map.of(), Map.of());
    }

    private static CreateTopicRequest creation(int replicationFactor, int minInsync, BrokerMetadata view) {
        // The request is built without the gateway, which only sends it.
        return new OffsetsTopicCreation(
                        new OffsetsTopicCreation.Settings(50, replicationFactor, 104_857_600, minInsync),
                        null,
                        () -> {},
                        1_000)
                .creation(view);
    }

    @Test
    void theTopicIsCompactedWithTheConfiguredPartitionsSegmentsAndReplicas() {
        CreateTopicRequest request = creation(3, 2, brokers(3, 0));
        assertEquals(OffsetsTopic.NAME, request.getName());
        assertEquals(50, request.getPartitionCount());
        assertEquals(3, request.getReplicationFactor());
        assertEquals("compact", request.getConfigsMap().get("cleanup.policy"));
        assertEquals("104857600", request.getConfigsMap().get("segment.bytes"));
        assertFalse(request.getConfigsMap().containsKey("min.insync.replicas"), "the brokers' default applies");
    }

    @Test
    void withFewerLiveBrokersTheReplicationFactorIsCappedAndMinInsyncKeptReachable() {
        CreateTopicRequest request = creation(3, 2, brokers(1, 2));
        assertEquals(1, request.getReplicationFactor());
        assertEquals("1", request.getConfigsMap().get("min.insync.replicas"));
    }
}
