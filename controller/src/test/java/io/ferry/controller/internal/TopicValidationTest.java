package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicValidationTest {
    @Test
    void acceptsLegalNames() {
        for (String name : new String[] {"a", "orders.v1", "A_b-c.9", "x".repeat(249), "..."}) {
            assertEquals(ErrorCode.NONE, TopicValidation.checkName(name).getCode(), name);
        }
    }

    @Test
    void refusesNamesThatCouldEscapeTheLogDirectory() {
        for (String name : new String[] {"", ".", "..", "../etc", "a/b", "a b", "é", "x".repeat(250), "a\u0000b"}) {
            assertEquals(
                    ErrorCode.INVALID_TOPIC, TopicValidation.checkName(name).getCode(), name);
        }
    }

    @Test
    void refusesBadCountsAndConfigs() {
        CreateTopicRequest ok = CreateTopicRequest.newBuilder()
                .setName("t")
                .setPartitionCount(1)
                .setReplicationFactor(1)
                .build();
        assertEquals(ErrorCode.NONE, TopicValidation.checkCreate(ok).getCode());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS,
                TopicValidation.checkCreate(ok.toBuilder().setPartitionCount(-3).build())
                        .getCode());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS,
                TopicValidation.checkCreate(ok.toBuilder()
                                .setPartitionCount(Integer.MAX_VALUE)
                                .build())
                        .getCode());
        assertEquals(
                ErrorCode.INVALID_REPLICATION_FACTOR,
                TopicValidation.checkCreate(
                                ok.toBuilder().setReplicationFactor(0).build())
                        .getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                TopicValidation.checkCreate(ok.toBuilder().putConfigs("", "v").build())
                        .getCode());
    }

    @Test
    void refusesMinInsyncReplicasAboveTheReplicationFactor() {
        CreateTopicRequest twoReplicas = CreateTopicRequest.newBuilder()
                .setName("t")
                .setPartitionCount(1)
                .setReplicationFactor(2)
                .build();
        Error refused = TopicValidation.checkCreate(
                twoReplicas.toBuilder().putConfigs("min.insync.replicas", "3").build());
        assertEquals(ErrorCode.INVALID_CONFIG, refused.getCode());
        assertEquals(
                "min.insync.replicas 3 is above the replication factor 2, so no acks=all produce could ever "
                        + "succeed; set min.insync.replicas to at most 2",
                refused.getMessage());
        assertEquals(
                ErrorCode.NONE,
                TopicValidation.checkCreate(twoReplicas.toBuilder()
                                .putConfigs("min.insync.replicas", " 2")
                                .build())
                        .getCode());
        assertEquals(ErrorCode.NONE, TopicValidation.checkCreate(twoReplicas).getCode());
        assertEquals(
                ErrorCode.NONE,
                TopicValidation.checkMinInsyncReplicas(Map.of("min.insync.replicas", "x"), 2)
                        .getCode(),
                "a value that does not parse is the brokers' to refuse");
    }
}
