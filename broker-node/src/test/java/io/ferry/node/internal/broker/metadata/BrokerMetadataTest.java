package io.ferry.node.internal.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AccessControlEntryRecord;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaRecord;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.DeleteTopicRecord;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRecord;
import io.ferry.proto.v1.RemoveAccessControlEntryRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.proto.v1.UnfenceBrokerRecord;
import io.ferry.proto.v1.VersionedRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerMetadataTest {

    private static PartitionRecord partition(String topic, int p, int leader, int epoch) {
        return PartitionRecord.newBuilder()
                .setTopic(topic)
                .setTopicId("id-" + topic)
                .setPartition(p)
                .addReplicas(1)
                .addIsr(1)
                .setLeader(leader)
                .setLeaderEpoch(epoch)
                .setPartitionEpoch(epoch)
                .build();
    }

    private static VersionedRecord at(long version, MetadataRecord record) {
        return VersionedRecord.newBuilder()
                .setVersion(version)
                .setRecord(record)
                .build();
    }

    @Test
    void recordsAfterTheAppliedVersionChangeTheViewInOrder() {
        FetchMetadataResponse first = FetchMetadataResponse.newBuilder()
                .setMetadataVersion(3)
                .addRecords(at(
                        1,
                        MetadataRecord.newBuilder()
                                .setRegisterBroker(RegisterBrokerRecord.newBuilder()
                                        .setRegistration(BrokerRegistration.newBuilder()
                                                .setBrokerId(1)
                                                .setFenced(true)))
                                .build()))
                .addRecords(at(
                        2,
                        MetadataRecord.newBuilder()
                                .setUnfenceBroker(
                                        UnfenceBrokerRecord.newBuilder().setBrokerId(1))
                                .build()))
                .addRecords(at(
                        3,
                        MetadataRecord.newBuilder()
                                .setCreateTopic(CreateTopicRecord.newBuilder()
                                        .setTopic(TopicRecord.newBuilder()
                                                .setName("t")
                                                .setPartitionCount(2))
                                        .addPartitions(partition("t", 0, 1, 0))
                                        .addPartitions(partition("t", 1, 1, 0)))
                                .build()))
                .build();
        BrokerMetadata view = BrokerMetadata.EMPTY.apply(first);
        assertEquals(3, view.version());
        assertFalse(view.brokers().get(1).getFenced());
        assertEquals(2, view.partitionsOf("t").size());

        FetchMetadataResponse second = FetchMetadataResponse.newBuilder()
                .setMetadataVersion(5)
                .addRecords(at(
                        3,
                        MetadataRecord.newBuilder()
                                .setDeleteTopic(DeleteTopicRecord.newBuilder().setName("t"))
                                .build()))
                .addRecords(at(
                        4,
                        MetadataRecord.newBuilder()
                                .setPartitionChange(
                                        PartitionChangeRecord.newBuilder().setPartition(partition("t", 0, -1, 1)))
                                .build()))
                .addRecords(at(
                        5,
                        MetadataRecord.newBuilder()
                                .setDeleteTopic(DeleteTopicRecord.newBuilder().setName("t"))
                                .build()))
                .build();
        BrokerMetadata after = view.apply(second);
        assertEquals(5, after.version());
        assertTrue(after.topics().isEmpty(), "the record at version 3 was already applied and is skipped");
        FetchMetadataResponse changeAfterDelete = FetchMetadataResponse.newBuilder()
                .setMetadataVersion(5)
                .addRecords(at(
                        4,
                        MetadataRecord.newBuilder()
                                .setDeleteTopic(DeleteTopicRecord.newBuilder().setName("t"))
                                .build()))
                .addRecords(at(
                        5,
                        MetadataRecord.newBuilder()
                                .setPartitionChange(
                                        PartitionChangeRecord.newBuilder().setPartition(partition("t", 0, -1, 1)))
                                .build()))
                .build();
        assertTrue(
                view.apply(changeAfterDelete).partition("t", 0).isEmpty(),
                "a change to a deleted topic's partition does not bring it back");
        assertTrue(view.partition("t", 0).isPresent(), "views are immutable");

        assertSame(
                after,
                after.apply(
                        FetchMetadataResponse.newBuilder().setMetadataVersion(5).build()));
    }

    private static MetadataRecord createTopic(String name, PartitionRecord... partitions) {
        CreateTopicRecord.Builder create = CreateTopicRecord.newBuilder()
                .setTopic(TopicRecord.newBuilder().setName(name).setPartitionCount(partitions.length));
        for (PartitionRecord p : partitions) {
            create.addPartitions(p);
        }
        return MetadataRecord.newBuilder().setCreateTopic(create).build();
    }

    @Test
    void aViewSharesTheTopicsNoRecordTouchedAndLeavesTheViewBeforeAsItWas() {
        BrokerMetadata first = BrokerMetadata.EMPTY.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(2)
                .addRecords(at(1, createTopic("a", partition("a", 0, 1, 0), partition("a", 1, 1, 0))))
                .addRecords(at(2, createTopic("b", partition("b", 0, 1, 0))))
                .build());
        BrokerMetadata second = first.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(3)
                .addRecords(at(
                        3,
                        MetadataRecord.newBuilder()
                                .setPartitionChange(
                                        PartitionChangeRecord.newBuilder().setPartition(partition("a", 1, 1, 1)))
                                .build()))
                .build());

        assertSame(first.partitions().get("b"), second.partitions().get("b"), "b untouched: shared");
        assertFalse(first.partitions().get("a") == second.partitions().get("a"), "a changed: copied");
        assertEquals(1, second.partition("a", 1).orElseThrow().getLeaderEpoch());
        assertSame(
                second.partition("a", 0).orElseThrow(), first.partition("a", 0).orElseThrow());
        assertEquals(0, first.partition("a", 1).orElseThrow().getLeaderEpoch(), "the view before is unchanged");

        BrokerMetadata recreated = second.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(5)
                .addRecords(at(
                        4,
                        MetadataRecord.newBuilder()
                                .setDeleteTopic(DeleteTopicRecord.newBuilder().setName("b"))
                                .build()))
                .addRecords(at(5, createTopic("b", partition("b", 0, 1, 3))))
                .build());
        assertEquals(3, recreated.partition("b", 0).orElseThrow().getLeaderEpoch());
        assertEquals(0, second.partition("b", 0).orElseThrow().getLeaderEpoch());
        assertSame(second.partitions().get("a"), recreated.partitions().get("a"));
        assertThrows(
                UnsupportedOperationException.class,
                () -> recreated.partitions().get("a").remove(0),
                "partitions shared between views are read-only");
    }

    @Test
    void aWholeImageReplacesTheView() {
        BrokerMetadata view = BrokerMetadata.EMPTY.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(9)
                .setImage(MetadataImage.newBuilder()
                        .setVersion(9)
                        .addBrokers(BrokerRegistration.newBuilder().setBrokerId(2))
                        .addTopics(TopicRecord.newBuilder().setName("x").setPartitionCount(1))
                        .addPartitions(partition("x", 0, 2, 4)))
                .build());
        assertEquals(9, view.version());
        assertEquals(4, view.partition("x", 0).orElseThrow().getLeaderEpoch());
        assertEquals(1, view.brokers().size());
    }

    @Test
    void aclRecordsAndTheImageCarryEveryAcl() {
        AclBinding alice = AclBinding.newBuilder().setPrincipal("User:alice").build();
        AclBinding bob = AclBinding.newBuilder().setPrincipal("User:bob").build();
        BrokerMetadata view = BrokerMetadata.EMPTY.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(3)
                .addRecords(acl(
                        1,
                        MetadataRecord.newBuilder()
                                .setAccessControlEntry(AccessControlEntryRecord.newBuilder()
                                        .setId("a")
                                        .setBinding(alice))))
                .addRecords(acl(
                        2,
                        MetadataRecord.newBuilder()
                                .setAccessControlEntry(AccessControlEntryRecord.newBuilder()
                                        .setId("b")
                                        .setBinding(bob))))
                .addRecords(acl(
                        3,
                        MetadataRecord.newBuilder()
                                .setRemoveAccessControlEntry(RemoveAccessControlEntryRecord.newBuilder()
                                        .setId("a"))))
                .build());
        assertEquals(Map.of("b", bob), view.acls());
        BrokerMetadata fromImage = view.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(9)
                .setImage(MetadataImage.newBuilder()
                        .setVersion(9)
                        .addAcls(
                                AccessControlEntryRecord.newBuilder().setId("c").setBinding(alice)))
                .build());
        assertEquals(Map.of("c", alice), fromImage.acls());
    }

    @Test
    void clientQuotaRecordsAndTheImageCarryEveryQuota() {
        ClientQuotaEntity alice = ClientQuotaEntity.newBuilder()
                .addComponents(ClientQuotaEntityComponent.newBuilder()
                        .setEntityType("user")
                        .setEntityName("alice"))
                .build();
        ClientQuotaRecord.Builder rate =
                ClientQuotaRecord.newBuilder().setEntity(alice).setKey("producer_byte_rate");
        BrokerMetadata view = BrokerMetadata.EMPTY.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(3)
                .addRecords(acl(
                        1,
                        MetadataRecord.newBuilder().setClientQuota(rate.clone().setValue(10))))
                .addRecords(acl(
                        2,
                        MetadataRecord.newBuilder()
                                .setClientQuota(rate.clone()
                                        .setKey("consumer_byte_rate")
                                        .setValue(20))))
                .addRecords(acl(
                        3,
                        MetadataRecord.newBuilder().setClientQuota(rate.clone().setRemove(true))))
                .build());
        assertEquals(Map.of(alice, Map.of("consumer_byte_rate", 20.0)), view.clientQuotas());
        BrokerMetadata fromImage = view.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(9)
                .setImage(MetadataImage.newBuilder()
                        .setVersion(9)
                        .addClientQuotas(rate.clone().setValue(5)))
                .build());
        assertEquals(Map.of(alice, Map.of("producer_byte_rate", 5.0)), fromImage.clientQuotas());
    }

    private static VersionedRecord acl(long version, MetadataRecord.Builder record) {
        return VersionedRecord.newBuilder()
                .setVersion(version)
                .setRecord(record)
                .build();
    }
}
