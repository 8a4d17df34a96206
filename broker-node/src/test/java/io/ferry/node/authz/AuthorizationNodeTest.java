package io.ferry.node.authz;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.broker.GroupTestMember;
import io.ferry.node.broker.PublishTestSupport;
import io.ferry.node.tls.TestCertificates;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.ControllerServiceGrpc.ControllerServiceBlockingStub;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeUserScramCredentialsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.ferry.proto.v1.ResourceType;
import io.ferry.proto.v1.ScramCredentialUpsertion;
import io.ferry.proto.v1.TopicMetadata;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with mutual TLS and {@code authorizer.class.name} set, called through its real RPCs by principals
 * that the ACLs allow ({@code CN=alice}), deny with a DENY ({@code CN=mallory}, who is also allowed everything),
 * do not name ({@code CN=bob}), and a super user ({@code CN=admin}).
 */
class AuthorizationNodeTest {

    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";

    @TempDir
    Path dir;

    private TestCertificates ca;
    private Path truststore;
    private FerryNode node;
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** Starts the node with the authorizer on and the topic and ACLs of {@link #topicWithAcls}; the admin's stub. */
    private BrokerServiceBlockingStub startedWithAcls() throws Exception {
        start();
        BrokerServiceBlockingStub admin = as("admin");
        topicWithAcls(admin);
        return admin;
    }

    /** Starts the node with the authorizer on, and {@code more} settings. */
    private void start(String... more) throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        ca = files.authority();
        truststore = files.truststore();
        node = FerryNode.start(
                NodeConfig.load(Optional.empty(), Map.of(), files.tlsCombinedNode(dir.resolve("logs"), concat(more))));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    private static String[] concat(String... more) {
        List<String> settings = new ArrayList<>(List.of(
                "ssl.client.auth=required",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:CN=node-1;User:CN=admin"));
        settings.addAll(List.of(more));
        return settings.toArray(String[]::new);
    }

    @AfterEach
    void stopNode() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    private GroupServiceBlockingStub groupsAs(String name) throws IOException {
        return GroupServiceGrpc.newBlockingStub(as(name).getChannel()).withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    private static OffsetCommitResponse commit(GroupServiceBlockingStub groups, String topic) {
        return groups.offsetCommit(OffsetCommitRequest.newBuilder()
                .setGroupId(GROUP)
                .setMemberEpoch(-1)
                .addTopics(OffsetCommitRequest.Topic.newBuilder()
                        .setTopic(topic)
                        .addPartitions(OffsetCommitRequest.Partition.newBuilder()
                                .setPartition(0)
                                .setCommittedOffset(1)
                                .setCommittedLeaderEpoch(-1)))
                .build());
    }

    private BrokerServiceBlockingStub as(String name) throws IOException {
        Path keystore = dir.resolve(name + ".pem");
        if (!keystore.toFile().exists()) {
            ca.writeKeystore(keystore, name);
        }
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1",
                        node.grpcAddress().getPort(),
                        TlsChannelCredentials.newBuilder()
                                .trustManager(truststore.toFile())
                                .keyManager(keystore.toFile(), keystore.toFile())
                                .build())
                .build();
        channels.add(channel);
        return BrokerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    private static AclBinding acl(String principal, AclOperation operation, AclPermissionType permission) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(TOPIC)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal(principal)
                .setHost("*")
                .setOperation(operation)
                .setPermissionType(permission)
                .build();
    }

    /**
     * Given: the super user created the topic, alice may write and read it and read the group, mallory may do all
     * but is denied.
     */
    private void topicWithAcls(BrokerServiceBlockingStub admin) throws IOException {
        assertEquals(ErrorCode.NONE, createTopic(admin, TOPIC), "a super user needs no ACL");
        CreateAclsResponse created = admin.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(acl(
                        "User:CN=alice", AclOperation.ACL_OPERATION_WRITE, AclPermissionType.ACL_PERMISSION_TYPE_ALLOW))
                .addCreations(acl(
                        "User:CN=alice", AclOperation.ACL_OPERATION_READ, AclPermissionType.ACL_PERMISSION_TYPE_ALLOW))
                .addCreations(acl(
                        "User:CN=mallory", AclOperation.ACL_OPERATION_ALL, AclPermissionType.ACL_PERMISSION_TYPE_ALLOW))
                .addCreations(acl(
                        "User:CN=mallory", AclOperation.ACL_OPERATION_ALL, AclPermissionType.ACL_PERMISSION_TYPE_DENY))
                .addCreations(acl(
                                "User:CN=alice",
                                AclOperation.ACL_OPERATION_READ,
                                AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                        .toBuilder()
                        .setResourceType(ResourceType.RESOURCE_TYPE_GROUP)
                        .setResourceName(GROUP))
                .build());
        assertEquals(ErrorCode.NONE, created.getError().getCode(), created.toString());
        BrokerServiceBlockingStub alice = as("alice");
        await().atMost(Duration.ofSeconds(20)).until(() -> produce(alice) == ErrorCode.NONE);
    }

    private static ErrorCode produce(BrokerServiceBlockingStub stub) {
        return stub.produce(
                        BrokerTestSupport.produceRequest(1, Acks.ACKS_ALL, TOPIC, 0, BrokerTestSupport.batch("v", 2)))
                .getTopics(0)
                .getPartitions(0)
                .getError()
                .getCode();
    }

    private static ErrorCode fetch(BrokerServiceBlockingStub stub) {
        return stub.fetch(BrokerTestSupport.fetchRequest(TOPIC, 0, 0, 0, 0))
                .getTopics(0)
                .getPartitions(0)
                .getError()
                .getCode();
    }

    private static List<String> listed(BrokerServiceBlockingStub stub) {
        return stub.metadata(MetadataRequest.getDefaultInstance()).getTopicsList().stream()
                .map(TopicMetadata::getName)
                .toList();
    }

    private static ErrorCode named(BrokerServiceBlockingStub stub) {
        MetadataResponse response =
                stub.metadata(MetadataRequest.newBuilder().addTopics(TOPIC).build());
        return response.getTopics(0).getError().getCode();
    }

    private static ErrorCode deleteTopic(BrokerServiceBlockingStub stub) {
        return stub.deleteTopic(DeleteTopicRequest.newBuilder().setName(TOPIC).build())
                .getError()
                .getCode();
    }

    private static ErrorCode createTopic(BrokerServiceBlockingStub stub, String name) {
        return stub.createTopic(CreateTopicRequest.newBuilder()
                        .setName(name)
                        .setPartitionCount(1)
                        .setReplicationFactor(1)
                        .build())
                .getError()
                .getCode();
    }

    @Test
    void eachRpcChecksItsOperationAgainstTheAcls() throws Exception {
        BrokerServiceBlockingStub admin = startedWithAcls();
        BrokerServiceBlockingStub alice = as("alice");
        BrokerServiceBlockingStub mallory = as("mallory");
        BrokerServiceBlockingStub bob = as("bob");

        // Allowed by an ACL: alice writes and reads; WRITE and READ imply DESCRIBE, so she sees the topic.
        assertEquals(ErrorCode.NONE, fetch(alice));
        assertEquals(List.of(TOPIC), listed(alice));
        assertEquals(ErrorCode.NONE, named(alice));
        // Her DescribeTopics answer leaves out the configs: she has no DESCRIBE_CONFIGS.
        assertEquals(
                ErrorCode.NONE,
                admin.alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                                .setName(TOPIC)
                                .putSet("retention.ms", "86400000")
                                .build())
                        .getError()
                        .getCode());
        DescribeTopicsRequest describe =
                DescribeTopicsRequest.newBuilder().addNames(TOPIC).build();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        admin.describeTopics(describe).getTopics(0).getTopic().getConfigsCount() == 1);
        assertEquals(
                ErrorCode.NONE,
                alice.describeTopics(describe).getTopics(0).getError().getCode());
        assertEquals(
                Map.of(), alice.describeTopics(describe).getTopics(0).getTopic().getConfigsMap());
        // But she has no DELETE, nor CREATE anywhere.
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, deleteTopic(alice));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, createTopic(alice, "alices"));

        // Denied by a DENY, though an ALLOW of everything matches too.
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, produce(mallory));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, fetch(mallory));
        assertEquals(List.of(), listed(mallory));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, named(mallory));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, deleteTopic(mallory));

        // Named by no ACL (allow.everyone.if.no.acl.found is false): nothing, and an unknown topic looks the same.
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, produce(bob));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, fetch(bob));
        assertEquals(List.of(), listed(bob));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, named(bob));
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, createTopic(bob, "bobs"));

        // A super user: everything, whatever the ACLs.
        assertEquals(ErrorCode.NONE, produce(admin));
        assertEquals(ErrorCode.NONE, fetch(admin));
        assertEquals(ErrorCode.NONE, deleteTopic(admin));

        // Then: the refusals were counted by operation and resource type.
        Counter deniedWrites = node.meterRegistry()
                .find("ferry.authorization.denied")
                .tags("operation", "WRITE", "resource_type", "TOPIC")
                .counter();
        assertEquals(2.0, deniedWrites.count());
    }

    /** RecordService Publish needs WRITE on the topic; without it, an unknown topic is refused the same way. */
    @Test
    void publishNeedsWriteOnTheTopicAndAnUnknownTopicLooksTheSameWithoutIt() throws Exception {
        startedWithAcls();
        PublishRequest publish = PublishTestSupport.request(TOPIC, Acks.ACKS_ALL, PublishTestSupport.value("v"));
        PublishResponse allowed = PublishTestSupport.publish(as("alice").getChannel(), publish);
        assertEquals(ErrorCode.NONE, allowed.getResults(0).getError().getCode(), allowed.toString());
        String refused = ErrorCode.TOPIC_AUTHORIZATION_FAILED.name();
        PublishTestSupport.assertRefused(as("mallory").getChannel(), publish, Status.Code.PERMISSION_DENIED, refused);
        PublishTestSupport.assertRefused(as("bob").getChannel(), publish, Status.Code.PERMISSION_DENIED, refused);
        PublishTestSupport.assertRefused(
                as("bob").getChannel(),
                publish.toBuilder().setTopic("no-such-topic").build(),
                Status.Code.PERMISSION_DENIED,
                refused);
    }

    /**
     * InitProducerId (an idempotent producer's first call) needs IDEMPOTENT_WRITE on the cluster or WRITE on some
     * topic, as Kafka 3+ asks it: a topic that does not exist yet counts, as a prefix of topics to come does.
     */
    @Test
    void anIdempotentProducerNeedsWriteOnSomeTopicEvenOneNotCreatedYet() throws Exception {
        BrokerServiceBlockingStub admin = startedWithAcls();
        BrokerServiceBlockingStub bob = as("bob");
        assertEquals(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, initProducerId(bob));

        CreateAclsResponse created = admin.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(acl(
                                "User:CN=bob",
                                AclOperation.ACL_OPERATION_WRITE,
                                AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                        .toBuilder()
                        .setResourceName("bobs-future-")
                        .setPatternType(PatternType.PATTERN_TYPE_PREFIXED))
                .build());
        assertEquals(ErrorCode.NONE, created.getError().getCode(), created.toString());

        await().atMost(Duration.ofSeconds(20)).until(() -> initProducerId(bob) == ErrorCode.NONE);
    }

    private static ErrorCode initProducerId(BrokerServiceBlockingStub stub) {
        return stub.initProducerId(InitProducerIdRequest.getDefaultInstance())
                .getError()
                .getCode();
    }

    @Test
    void clientQuotaCallsNeedAlterConfigsOrDescribeConfigsOnTheCluster() throws Exception {
        BrokerServiceBlockingStub admin = startedWithAcls();
        AclBinding carolAlters = acl(
                        "User:CN=carol",
                        AclOperation.ACL_OPERATION_ALTER_CONFIGS,
                        AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .toBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_CLUSTER)
                .setResourceName("kafka-cluster")
                .build();
        AclBinding daveDescribes = carolAlters.toBuilder()
                .setPrincipal("User:CN=dave")
                .setOperation(AclOperation.ACL_OPERATION_DESCRIBE_CONFIGS)
                .build();
        assertEquals(
                ErrorCode.NONE,
                admin.createAcls(CreateAclsRequest.newBuilder()
                                .addCreations(carolAlters)
                                .addCreations(daveDescribes)
                                .build())
                        .getError()
                        .getCode());
        BrokerServiceBlockingStub carol = as("carol");
        BrokerServiceBlockingStub dave = as("dave");
        BrokerServiceBlockingStub bob = as("bob");
        AlterClientQuotasRequest alter = AlterClientQuotasRequest.newBuilder()
                .addEntries(ClientQuotaAlteration.newBuilder()
                        .setEntity(ClientQuotaEntity.newBuilder()
                                .addComponents(
                                        ClientQuotaEntityComponent.newBuilder().setEntityType("user")))
                        .addOps(ClientQuotaOp.newBuilder()
                                .setKey("producer_byte_rate")
                                .setValue(1 << 20)))
                .build();
        DescribeClientQuotasRequest describe = DescribeClientQuotasRequest.getDefaultInstance();

        // ALTER_CONFIGS on the cluster alters (and, implying DESCRIBE_CONFIGS, describes).
        await().atMost(Duration.ofSeconds(20))
                .until(() -> carol.alterClientQuotas(alter).getError().getCode() == ErrorCode.NONE);
        assertEquals(1, carol.describeClientQuotas(describe).getEntriesCount());
        // DESCRIBE_CONFIGS describes but does not alter.
        assertEquals(
                ErrorCode.NONE, dave.describeClientQuotas(describe).getError().getCode());
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                dave.alterClientQuotas(alter).getError().getCode());
        // No ACL: neither.
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                bob.alterClientQuotas(alter).getError().getCode());
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                bob.describeClientQuotas(describe).getError().getCode());
    }

    @Test
    void aClientCallingReplicaFetchIsRefusedAndMovesNothing() throws Exception {
        startedWithAcls();
        BrokerServiceBlockingStub alice = as("alice");
        long highWatermark =
                BrokerTestSupport.listOffset(channelOf(alice), TOPIC, 0, -1).getOffset();

        ReplicaFetchPartitionResult posing = alice.replicaFetch(ReplicaFetchRequest.newBuilder()
                        .setReplicaId(1)
                        .setMaxBytes(1 << 20)
                        .addTopics(ReplicaFetchTopic.newBuilder()
                                .setTopic(TOPIC)
                                .addPartitions(ReplicaFetchPartition.newBuilder()
                                        .setPartition(0)
                                        .setFetchOffset(1_000)
                                        .setCurrentLeaderEpoch(-1)
                                        .setLastFetchedEpoch(-1)))
                        .build())
                .getTopics(0)
                .getPartitions(0);

        assertEquals(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, posing.getError().getCode());
        assertTrue(posing.getRecords().isEmpty());
        assertFalse(posing.getError().getMessage().contains("alice"), "names the operation, not the ACLs");
        assertEquals(
                highWatermark,
                BrokerTestSupport.listOffset(channelOf(alice), TOPIC, 0, -1).getOffset(),
                "the high watermark did not move");
    }

    @Test
    void anOffsetCommitNeedsReadOnTheGroupAndOnEachTopic() throws Exception {
        startedWithAcls();
        GroupServiceBlockingStub alice = groupsAs("alice");

        // Allowed: READ on the group (which implies DESCRIBE, to find its coordinator) and on the topic.
        awaitCoordinator(alice);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            OffsetCommitResponse committed = commit(alice, TOPIC);
            return committed.getError().getCode() == ErrorCode.NONE
                    && committed.getTopics(0).getPartitions(0).getError().getCode() == ErrorCode.NONE;
        });
        // A topic she may not read: that topic refused, nothing else.
        OffsetCommitResponse otherTopic = commit(alice, "payments");
        assertEquals(ErrorCode.NONE, otherTopic.getError().getCode());
        assertEquals(
                ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                otherTopic.getTopics(0).getPartitions(0).getError().getCode());
        // OffsetFetch: DESCRIBE on each topic named.
        OffsetFetchResponse fetched = alice.offsetFetch(OffsetFetchRequest.newBuilder()
                .setGroupId(GROUP)
                .addTopics(PartitionsByTopic.newBuilder().setTopic(TOPIC).addPartitions(0))
                .addTopics(PartitionsByTopic.newBuilder().setTopic("payments").addPartitions(0))
                .build());
        assertEquals(ErrorCode.NONE, fetched.getError().getCode());
        Map<String, ErrorCode> byTopic = new HashMap<>();
        fetched.getTopicsList()
                .forEach(t ->
                        byTopic.put(t.getTopic(), t.getPartitions(0).getError().getCode()));
        assertEquals(Map.of(TOPIC, ErrorCode.NONE, "payments", ErrorCode.TOPIC_AUTHORIZATION_FAILED), byTopic);
        // A heartbeat subscribing by name needs DESCRIBE on each topic.
        assertEquals(
                ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                alice.consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                                .setGroupId(GROUP)
                                .setMemberEpoch(0)
                                .setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                                        .addNames(TOPIC)
                                        .addNames("payments"))
                                .build())
                        .getError()
                        .getCode());
        // No ACL on the group: the whole request refused.
        assertEquals(
                ErrorCode.GROUP_AUTHORIZATION_FAILED,
                commit(groupsAs("bob"), TOPIC).getError().getCode());
    }

    /** Waits until FindCoordinator finds the group's coordinator: the first call creates the offsets topic. */
    private static void awaitCoordinator(GroupServiceBlockingStub stub) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> stub.findCoordinator(FindCoordinatorRequest.newBuilder()
                                        .setGroupId(GROUP)
                                        .build())
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
    }

    /** Heartbeats until the member owns exactly {@code partitions}. */
    private static void awaitOwning(GroupTestMember member, GroupServiceBlockingStub stub, String... partitions) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> member.heartbeat(stub).getError().getCode() == ErrorCode.NONE
                        && member.owned().equals(Set.of(partitions)));
    }

    private static ErrorCode create(BrokerServiceBlockingStub admin, AclBinding acl) {
        return admin.createAcls(CreateAclsRequest.newBuilder().addCreations(acl).build())
                .getError()
                .getCode();
    }

    private static AclBinding aliceDescribes(String topic) {
        return acl("User:CN=alice", AclOperation.ACL_OPERATION_DESCRIBE, AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .toBuilder()
                .setResourceName(topic)
                .build();
    }

    @Test
    void aPatternSubscriptionIsAssignedOnlyTheTopicsItsPrincipalMayDescribe() throws Exception {
        BrokerServiceBlockingStub admin = startedWithAcls();
        assertEquals(ErrorCode.NONE, createTopic(admin, "orders-a"));
        assertEquals(ErrorCode.NONE, createTopic(admin, "orders-b"));
        assertEquals(ErrorCode.NONE, create(admin, aliceDescribes("orders-a")));
        GroupServiceBlockingStub alice = groupsAs("alice");
        awaitCoordinator(alice);
        GroupTestMember alices = GroupTestMember.withPattern(GROUP, "orders-.*");

        // Alice may DESCRIBE orders-a only: orders-b matches her pattern but is not hers.
        awaitOwning(alices, alice, "orders-a-0");
        // A super user's member subscribing alike gets both.
        awaitOwning(GroupTestMember.withPattern("audit", "orders-.*"), groupsAs("admin"), "orders-a-0", "orders-b-0");

        // Granted DESCRIBE on orders-b, her member is assigned it; revoked, it is taken away.
        assertEquals(ErrorCode.NONE, create(admin, aliceDescribes("orders-b")));
        awaitOwning(alices, alice, "orders-a-0", "orders-b-0");
        assertEquals(
                ErrorCode.NONE,
                admin.deleteAcls(DeleteAclsRequest.newBuilder()
                                .addFilters(AclBindingFilter.newBuilder()
                                        .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                                        .setResourceName("orders-b")
                                        .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                                        .setPrincipal("User:CN=alice")
                                        .setOperation(AclOperation.ACL_OPERATION_DESCRIBE)
                                        .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW))
                                .build())
                        .getError()
                        .getCode());
        awaitOwning(alices, alice, "orders-a-0");
    }

    @Test
    void aClientCannotPoseAsABrokerToTheController() throws Exception {
        start();
        // The node turned healthy: its broker, a super user, registered through the same gate.
        ControllerServiceBlockingStub alice =
                ControllerServiceGrpc.newBlockingStub(as("alice").getChannel()).withDeadlineAfter(2, TimeUnit.MINUTES);

        StatusRuntimeException registering = assertThrows(
                StatusRuntimeException.class,
                () -> alice.registerBroker(RegisterBrokerRequest.newBuilder()
                        .setBrokerId(7)
                        .setIncarnationId("posing")
                        .build()));
        StatusRuntimeException allocating = assertThrows(
                StatusRuntimeException.class,
                () -> alice.allocateProducerIds(AllocateProducerIdsRequest.newBuilder()
                        .setBrokerId(1)
                        .setIncarnationId("posing")
                        .build()));

        for (StatusRuntimeException refused : List.of(registering, allocating)) {
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertTrue(
                    refused.getStatus().getDescription().startsWith("CLUSTER_AUTHORIZATION_FAILED"),
                    refused.getStatus().getDescription());
        }
        assertEquals(
                2.0,
                node.meterRegistry()
                        .get("ferry.authorization.denied")
                        .tags("operation", "CLUSTER_ACTION", "resource_type", "CLUSTER")
                        .counter()
                        .count());
    }

    @Test
    void theJavaClientGivesUpOnARefusal() throws Exception {
        startedWithAcls();
        Map<String, String> client = Map.of(
                "bootstrap.servers",
                "127.0.0.1:" + node.grpcAddress().getPort(),
                "security.protocol",
                "SSL",
                "ssl.truststore.location",
                truststore.toString(),
                "ssl.keystore.location",
                dir.resolve("alice.pem").toString());
        try (FerryAdmin alice = new FerryAdmin(AdminConfig.of(client))) {
            FerryException refused = assertThrows(FerryException.class, () -> alice.deleteTopic(TOPIC));
            assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, refused.code());
            assertFalse(refused.retriable());
            assertTrue(refused.getMessage().contains("DELETE topic 'orders'"), refused.getMessage());
        }
    }

    @Test
    void allowEveryoneIfNoAclFoundAllowsWhatNoAclNames() throws Exception {
        start("allow.everyone.if.no.acl.found=true");
        BrokerServiceBlockingStub admin = as("admin");
        topicWithAcls(admin);
        assertEquals(ErrorCode.NONE, createTopic(admin, "open"));
        BrokerServiceBlockingStub bob = as("bob");

        // No ACL names "open": anyone may write it.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> bob.produce(BrokerTestSupport.produceRequest(
                                        1, Acks.ACKS_ALL, "open", 0, BrokerTestSupport.batch("v", 1)))
                                .getTopics(0)
                                .getPartitions(0)
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        // ACLs name "orders", for others: bob is refused.
        assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, produce(bob));
    }

    @Test
    void onlyAPrincipalAllowedAlterOnTheClusterAltersScramCredentials() throws Exception {
        start();
        BrokerServiceBlockingStub admin = as("admin");
        BrokerServiceBlockingStub bob = as("bob");
        byte[] salt = ScramFunctions.newSalt();
        AlterUserScramCredentialsRequest upsert = AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(ScramCredentialUpsertion.newBuilder()
                        .setName("bob")
                        .setMechanism(ScramMechanism.SCRAM_SHA_512.mechanismName())
                        .setIterations(ScramMechanism.MIN_ITERATIONS)
                        .setSalt(ByteString.copyFrom(salt))
                        .setSaltedPassword(ByteString.copyFrom(new ScramFunctions(ScramMechanism.SCRAM_SHA_512)
                                .saltedPassword("bob-secret", salt, ScramMechanism.MIN_ITERATIONS))))
                .build();
        DescribeUserScramCredentialsRequest bobs =
                DescribeUserScramCredentialsRequest.newBuilder().addUsers("bob").build();

        // No ACL gives bob ALTER or DESCRIBE on the cluster: refused, and nothing was stored.
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                bob.alterUserScramCredentials(upsert).getError().getCode());
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                bob.describeUserScramCredentials(bobs).getError().getCode());
        assertEquals(
                ErrorCode.RESOURCE_NOT_FOUND,
                admin.describeUserScramCredentials(bobs)
                        .getResults(0)
                        .getError()
                        .getCode());

        // The super user may.
        AlterUserScramCredentialsResponse byAdmin = admin.alterUserScramCredentials(upsert);
        assertEquals(ErrorCode.NONE, byAdmin.getError().getCode());
        assertEquals(ErrorCode.NONE, byAdmin.getResults(0).getError().getCode());
    }

    private static ManagedChannel channelOf(BrokerServiceBlockingStub stub) {
        return (ManagedChannel) stub.getChannel();
    }
}
