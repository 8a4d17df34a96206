package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ClusterIdRecord;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.CompletedRequest;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.CreatePartitionsRecord;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.ProducerIdsRecord;
import io.ferry.proto.v1.RegisterBrokerRecord;
import io.ferry.proto.v1.TopicConfigChangeRecord;
import io.ferry.proto.v1.TopicRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataStateTest {
    private static MetadataRecord register(int id) {
        return MetadataRecord.newBuilder()
                .setRegisterBroker(RegisterBrokerRecord.newBuilder()
                        .setRegistration(
                                BrokerRegistration.newBuilder().setBrokerId(id).setIncarnationId("i" + id)))
                .build();
    }

    private static PartitionRecord partition(int p) {
        return PartitionRecord.newBuilder()
                .setTopic("t")
                .setTopicId("tid")
                .setPartition(p)
                .addAllReplicas(List.of(1, 2))
                .addAllIsr(List.of(1, 2))
                .setLeader(1)
                .build();
    }

    private static MetadataRecord createTopic() {
        return MetadataRecord.newBuilder()
                .setCreateTopic(CreateTopicRecord.newBuilder()
                        .setTopic(TopicRecord.newBuilder()
                                .setName("t")
                                .setTopicId("tid")
                                .setPartitionCount(2)
                                .setReplicationFactor(2))
                        .addPartitions(partition(0))
                        .addPartitions(partition(1)))
                .build();
    }

    private static MetadataRecord shrink(int p, int expectedEpoch) {
        return MetadataRecord.newBuilder()
                .setPartitionChange(PartitionChangeRecord.newBuilder()
                        .setExpectedPartitionEpoch(expectedEpoch)
                        .setPartition(
                                partition(p).toBuilder().clearIsr().addIsr(1).setPartitionEpoch(expectedEpoch + 1)))
                .build();
    }

    private static ControllerCommand command(MetadataRecord... records) {
        return ControllerCommand.newBuilder()
                .setLeaderTerm(3)
                .addAllRecords(List.of(records))
                .build();
    }

    private static MetadataRecord clusterId(String id) {
        return MetadataRecord.newBuilder()
                .setClusterId(ClusterIdRecord.newBuilder().setClusterId(id))
                .build();
    }

    @Test
    void theClusterIdIsChosenOnceAndSnapshotsKeepIt() {
        MetadataState s = new MetadataState(100);
        assertEquals("", s.clusterId());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                s.apply(command(clusterId("short")), 3).getError().getCode());
        String id = ClusterIds.random();
        assertEquals(
                ErrorCode.NONE, s.apply(command(clusterId(id)), 3).getError().getCode());
        CommandResult second = s.apply(command(clusterId(ClusterIds.random())), 3);
        assertEquals(ErrorCode.INVALID_REQUEST, second.getError().getCode());
        assertEquals(id, s.clusterId());

        MetadataState copy = new MetadataState(100);
        copy.load(s.snapshot());
        assertEquals(id, copy.clusterId());
        assertEquals(id, copy.changesSince(-1).getImage().getClusterId());
    }

    @Test
    void everyRecordRaisesTheVersion() {
        MetadataState s = new MetadataState(100);
        CommandResult r = s.apply(command(register(1), register(2), createTopic()), 3);
        assertEquals(ErrorCode.NONE, r.getError().getCode());
        assertEquals(3, r.getMetadataVersion());
        assertEquals(2, s.partitions("t").size());
    }

    @Test
    void aChangeAgainstAnOldPartitionEpochIsRefusedAndTheWholeCommandWithIt() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        s.apply(command(shrink(0, 0)), 3);
        long before = s.version();
        CommandResult r = s.apply(command(shrink(1, 0), shrink(0, 0)), 3);
        assertEquals(ErrorCode.STALE_PARTITION_EPOCH, r.getError().getCode());
        assertEquals(before, s.version());
        assertEquals(List.of(1, 2), s.partition("t", 1).orElseThrow().getIsrList());
    }

    @Test
    void aBulkCommandLeavesOutOnlyItsStalePartitionChanges() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        s.apply(command(shrink(0, 0)), 3);
        long before = s.version();
        CommandResult r = s.apply(
                command(shrink(1, 0), shrink(0, 0)).toBuilder()
                        .setSkipStalePartitionChanges(true)
                        .build(),
                3);
        assertEquals(ErrorCode.NONE, r.getError().getCode());
        assertEquals(before + 1, s.version(), "one record applied, the stale one left out");
        assertEquals(List.of(1), s.partition("t", 1).orElseThrow().getIsrList());
        assertEquals(1, s.partition("t", 0).orElseThrow().getPartitionEpoch());
    }

    @Test
    void aCommandDecidedInAnotherTermIsRefused() {
        MetadataState s = new MetadataState(100);
        assertEquals(
                ErrorCode.NOT_CONTROLLER,
                s.apply(command(register(1)), 4).getError().getCode());
        assertTrue(s.brokers().isEmpty());
    }

    @Test
    void malformedRecordsAreRefused() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        MetadataRecord leaderOutsideIsr = MetadataRecord.newBuilder()
                .setPartitionChange(PartitionChangeRecord.newBuilder()
                        .setPartition(
                                partition(0).toBuilder().clearIsr().addIsr(2).setPartitionEpoch(1)))
                .build();
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                s.apply(command(leaderOutsideIsr), 3).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                s.apply(command(MetadataRecord.getDefaultInstance()), 3)
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.TOPIC_ALREADY_EXISTS,
                s.apply(command(createTopic()), 3).getError().getCode());
    }

    @Test
    void changesSinceGivesRecordsOrTheWholeImageWhenTooOld() {
        MetadataState s = new MetadataState(2);
        s.apply(command(register(1), register(2), createTopic()), 3);
        FetchMetadataResponse recent = s.changesSince(1);
        assertFalse(recent.hasImage());
        assertEquals(
                List.of(2L, 3L),
                recent.getRecordsList().stream().map(r -> r.getVersion()).toList());
        FetchMetadataResponse old = s.changesSince(0);
        assertTrue(old.hasImage());
        assertEquals(s.image(), old.getImage());
        FetchMetadataResponse current = s.changesSince(3);
        assertEquals(0, current.getRecordsCount());
        assertEquals(3, current.getMetadataVersion());
    }

    @Test
    void aTopicConfigChangeReplacesTheOverridesOfThatTopicOnly() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        CommandResult changed = s.apply(command(configChange("tid", Map.of("retention.ms", "1000"))), 3);
        assertEquals(ErrorCode.NONE, changed.getError().getCode());
        assertEquals(Map.of("retention.ms", "1000"), s.topic("t").orElseThrow().getConfigsMap());
        assertEquals(2, s.topic("t").orElseThrow().getPartitionCount());
        assertTrue(s.changesSince(changed.getMetadataVersion() - 1)
                .getRecords(0)
                .getRecord()
                .hasTopicConfigChange());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                s.apply(command(configChange("other-id", Map.of())), 3)
                        .getError()
                        .getCode(),
                "a topic deleted and created again has a new id; a change meant for the old one is refused");
        assertEquals(Map.of("retention.ms", "1000"), s.topic("t").orElseThrow().getConfigsMap());
    }

    @Test
    void addedPartitionsExtendTheTopicAndMustFollowOnFromItsLastPartition() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                s.apply(command(addPartitions(3)), 3).getError().getCode(),
                "partition 3 without a partition 2");
        assertEquals(
                ErrorCode.NONE,
                s.apply(command(addPartitions(2, 3)), 3).getError().getCode());
        assertEquals(4, s.topic("t").orElseThrow().getPartitionCount());
        assertEquals(
                List.of(0, 1, 2, 3),
                s.partitions("t").stream().map(PartitionRecord::getPartition).toList());
        assertEquals(List.of(4, 4), counts(s).get(1), "broker 1: 4 replicas, 4 leaderships");
        MetadataState copy = new MetadataState(100);
        copy.load(s.snapshot());
        assertEquals(s.image(), copy.image());
    }

    private static MetadataRecord addPartitions(int... numbers) {
        CreatePartitionsRecord.Builder add =
                CreatePartitionsRecord.newBuilder().setName("t").setTopicId("tid");
        for (int p : numbers) {
            add.addPartitions(partition(p));
        }
        return MetadataRecord.newBuilder().setCreatePartitions(add).build();
    }

    private static MetadataRecord configChange(String topicId, Map<String, String> configs) {
        return MetadataRecord.newBuilder()
                .setTopicConfigChange(TopicConfigChangeRecord.newBuilder()
                        .setName("t")
                        .setTopicId(topicId)
                        .putAllConfigs(configs))
                .build();
    }

    @Test
    void loadingAnImageRestoresTheSameState() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1), register(2), createTopic()), 3);
        assertEquals(
                ErrorCode.NONE, s.apply(command(shrink(1, 0)), 3).getError().getCode());
        MetadataState copy = new MetadataState(100);
        copy.load(s.snapshot());
        assertEquals(s.image(), copy.image());
        assertTrue(copy.changesSince(0).hasImage());
        assertEquals(counts(s), counts(copy));
        assertEquals(List.of(2, 2), counts(s).get(1), "broker 1: 2 replicas, 2 leaderships");
        assertEquals(List.of(2, 0), counts(s).get(2), "broker 2: 2 replicas, no leadership");
    }

    /** A command that completes request {@code key}, decided at {@code atMs}, keeping one minute and three keys. */
    private static ControllerCommand keyed(String key, long atMs, MetadataRecord... records) {
        return command(records).toBuilder()
                .setCompletes(CompletedRequest.newBuilder()
                        .setIdempotencyKey(key)
                        .setRequest(ActiveControllerRequest.newBuilder()
                                .setDeleteTopic(DeleteTopicRequest.newBuilder().setName(key)))
                        .setCompletedAtMs(atMs))
                .setForgetCompletedBeforeMs(atMs - 60_000)
                .setRememberAtMost(3)
                .build();
    }

    @Test
    void aCompletedRequestIsRememberedOnlyWhenItsRecordsApplyAndSurvivesASnapshot() {
        MetadataState s = new MetadataState(100);
        assertEquals(
                ErrorCode.NONE,
                s.apply(keyed("k1", 1_000, register(1), register(2), createTopic()), 3)
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.TOPIC_ALREADY_EXISTS,
                s.apply(keyed("k2", 1_000, createTopic()), 3).getError().getCode());
        assertTrue(s.completedRequest("k1").isPresent());
        assertFalse(s.completedRequest("k2").isPresent(), "refused: nothing of it is remembered");
        long version = s.version();

        MetadataState copy = new MetadataState(100);
        copy.load(s.snapshot());
        assertEquals(s.snapshot(), copy.snapshot());
        assertEquals(s.completedRequest("k1"), copy.completedRequest("k1"));
        assertEquals(version, copy.version(), "remembering a request is no metadata record");
    }

    @Test
    void rememberedRequestsAreForgottenByAgeAndByCountAsTheCommandSays() {
        MetadataState s = new MetadataState(100);
        s.apply(keyed("old", 0, register(1)), 3);
        s.apply(keyed("a", 50_000, register(2)), 3);
        s.apply(keyed("b", 70_000, register(3)), 3);
        assertFalse(s.completedRequest("old").isPresent(), "decided more than a minute before the newest");
        s.apply(keyed("c", 70_001, register(4)), 3);
        s.apply(keyed("d", 70_002, register(5)), 3);
        assertEquals(
                List.of("b", "c", "d"),
                s.snapshot().getCompletedRequestsList().stream()
                        .map(CompletedRequest::getIdempotencyKey)
                        .toList(),
                "the oldest beyond three forgotten");
    }

    @Test
    void producerIdsOnlyMoveForwardAreSnapshottedAndRaiseNoMetadataVersion() {
        MetadataState s = new MetadataState(100);
        s.apply(command(register(1)), 3);
        long version = s.version();
        assertEquals(ErrorCode.NONE, s.apply(producerIds(1000), 3).getError().getCode());
        assertEquals(1000, s.nextProducerId());
        assertEquals(version, s.version(), "brokers do not read producer id blocks");
        CommandResult stale = s.apply(producerIds(1000), 3);
        assertEquals(ErrorCode.INVALID_REQUEST, stale.getError().getCode());
        assertEquals(1000, s.nextProducerId());

        MetadataState copy = new MetadataState(100);
        copy.load(s.snapshot());
        assertEquals(1000, copy.nextProducerId());
    }

    private static ControllerCommand producerIds(long next) {
        return ControllerCommand.newBuilder()
                .setLeaderTerm(3)
                .setProducerIds(ProducerIdsRecord.newBuilder()
                        .setBrokerId(1)
                        .setIncarnationId("i1")
                        .setNextProducerId(next))
                .build();
    }

    private static java.util.Map<Integer, List<Integer>> counts(MetadataState s) {
        java.util.Map<Integer, List<Integer>> m = new java.util.TreeMap<>();
        s.replicaAndLeaderCounts().forEach((id, c) -> m.put(id, List.of(c[0], c[1])));
        return m;
    }
}
