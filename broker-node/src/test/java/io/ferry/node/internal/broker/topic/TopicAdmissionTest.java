package io.ferry.node.internal.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A {@code min.insync.replicas} the topic's replicas can never reach (the override, else the broker's
 * default) is refused when it is set, on CreateTopic and on AlterTopicConfigs; a topic created before
 * with one keeps it through changes of other keys.
 */
class TopicAdmissionTest {

    /** Broker defaults: 1 partition, replication factor 3, min.insync.replicas 2. */
    private static TopicAdmission admission(Map<String, String> storedConfigsOfTopicT) {
        BrokerMetadata view = new BrokerMetadata(
                1,
                Map.of(),
                Map.of(
                        "t",
                        TopicRecord.newBuilder()
                                .setName("t")
                                .setPartitionCount(1)
                                .setReplicationFactor(2)
                                .putAllConfigs(storedConfigsOfTopicT)
                                .build()),
                Map.of());
        return new TopicAdmission(1, 3, new TopicConfigs(LogConfig.defaults(), 2, () -> view));
    }

    private static String refusal(Executable admission) {
        return assertThrows(InvalidTopicConfigException.class, admission).getMessage();
    }

    private static CreateTopicRequest create(int replicationFactor, Map<String, String> configs) {
        return CreateTopicRequest.newBuilder()
                .setName("new")
                .setReplicationFactor(replicationFactor)
                .putAllConfigs(configs)
                .build();
    }

    private static AlterTopicConfigsRequest alter(Map<String, String> set, String... delete) {
        return AlterTopicConfigsRequest.newBuilder()
                .setName("t")
                .putAllSet(set)
                .addAllDelete(List.of(delete))
                .build();
    }

    @Test
    void createTopicRefusesMinInsyncReplicasAboveTheReplicationFactor() throws Exception {
        TopicAdmission admission = admission(Map.of());

        assertEquals(
                "min.insync.replicas 3 is above the replication factor 2, so no acks=all produce could ever "
                        + "succeed; set min.insync.replicas to at most 2",
                refusal(() -> admission.prepare(create(2, Map.of("min.insync.replicas", "3")))));
        assertEquals(
                "min.insync.replicas 2 (the broker default) is above the replication factor 1, so no acks=all "
                        + "produce could ever succeed; set min.insync.replicas to at most 1",
                refusal(() -> admission.prepare(create(1, Map.of()))));

        assertEquals(
                3,
                admission.prepare(create(0, Map.of("min.insync.replicas", "3"))).getReplicationFactor(),
                "the default replication factor counts");
        admission.prepare(create(1, Map.of("min.insync.replicas", "1")));
        admission.prepare(create(-1, Map.of()));
    }

    @Test
    void alterTopicConfigsRefusesSettingOrFallingBackToAnUnreachableMinInsyncReplicas() throws Exception {
        TopicAdmission admission = admission(Map.of());

        assertEquals(
                "min.insync.replicas 3 is above the replication factor 2, so no acks=all produce could ever "
                        + "succeed; set min.insync.replicas to at most 2",
                refusal(() -> admission.checkConfigChange(alter(Map.of("min.insync.replicas", "3")))));
        admission.checkConfigChange(alter(Map.of("min.insync.replicas", "2")));

        TopicAdmission strictDefault = new TopicAdmission(
                1,
                3,
                new TopicConfigs(
                        LogConfig.defaults(),
                        3,
                        () -> new BrokerMetadata(
                                1,
                                Map.of(),
                                Map.of(
                                        "t",
                                        TopicRecord.newBuilder()
                                                .setName("t")
                                                .setReplicationFactor(2)
                                                .putConfigs("min.insync.replicas", "1")
                                                .build()),
                                Map.of())));
        assertEquals(
                "min.insync.replicas 3 (the broker default) is above the replication factor 2, so no acks=all "
                        + "produce could ever succeed; set min.insync.replicas to at most 2",
                refusal(() -> strictDefault.checkConfigChange(alter(Map.of(), "min.insync.replicas"))));
    }

    @Test
    void aTopicCreatedBeforeWithAnUnreachableMinInsyncReplicasKeepsItThroughOtherChanges() throws Exception {
        TopicAdmission admission = admission(Map.of("min.insync.replicas", "5"));

        admission.checkConfigChange(alter(Map.of("retention.ms", "60000")));
        refusal(() -> admission.checkConfigChange(alter(Map.of("min.insync.replicas", "4"))));
        admission.checkConfigChange(alter(Map.of("min.insync.replicas", "2")));
    }

    @Test
    void compactionLagsOutOfOrderAreRefusedOnCreateAndWhenAChangeWouldLeaveThem() throws Exception {
        String refused = "max.compaction.lag.ms 1000 is below min.compaction.lag.ms 5000, so a record would have to "
                + "be compacted before it may be; set max.compaction.lag.ms to at least min.compaction.lag.ms";
        assertEquals(
                refused,
                refusal(() -> admission(Map.of())
                        .prepare(create(
                                1,
                                Map.of(
                                        "cleanup.policy", "compact",
                                        "min.compaction.lag.ms", "5000",
                                        "max.compaction.lag.ms", "1000")))));

        TopicAdmission compacted = admission(Map.of("cleanup.policy", "compact", "max.compaction.lag.ms", "1000"));
        assertEquals(
                refused, refusal(() -> compacted.checkConfigChange(alter(Map.of("min.compaction.lag.ms", "5000")))));
        compacted.checkConfigChange(alter(Map.of("min.compaction.lag.ms", "1000")));
        compacted.checkConfigChange(alter(Map.of("min.compaction.lag.ms", "5000"), "max.compaction.lag.ms"));
    }
}
