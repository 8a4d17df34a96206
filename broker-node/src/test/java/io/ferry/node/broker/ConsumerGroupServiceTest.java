package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.proto.v1.ListGroupsRequest;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetDeleteRequest;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GroupService on one broker,controller node: what a client may and may not ask, and what the coordinator
 * answers. The node has one broker, so {@code __consumer_offsets} gets replication factor 1, not the 3
 * configured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerGroupServiceTest {

    private static final String OFFSETS = "__consumer_offsets";

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNodeAndFindACoordinator() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("offsets.topic.num.partitions=3");
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        channel = BrokerTestSupport.channel(node);
        createTopic(channel, "events", 2, Map.of());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> find("any").getError().getCode() == ErrorCode.NONE);
        // Until the coordinators have loaded their partitions (these ids land on all three), calls are
        // COORDINATOR_LOAD_IN_PROGRESS.
        DescribeGroupsRequest used = DescribeGroupsRequest.newBuilder()
                .addAllGroupIds(List.of("nobody-here", "billing", "regex-app", "orders-app", "payments"))
                .build();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> groups().describeGroups(used).getGroupsList().stream()
                        .allMatch(g -> g.getError().getCode() == ErrorCode.GROUP_ID_NOT_FOUND));
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    /** A stub whose deadline starts now. */
    private GroupServiceBlockingStub groups() {
        return GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private FindCoordinatorResponse find(String groupId) {
        return groups().findCoordinator(
                        FindCoordinatorRequest.newBuilder().setGroupId(groupId).build());
    }

    @Test
    void theFirstFindCoordinatorCreatedTheCompactedOffsetsTopicAndThisBrokerCoordinates() {
        TopicDescription offsets = stub(channel)
                .describeTopics(
                        DescribeTopicsRequest.newBuilder().addNames(OFFSETS).build())
                .getTopics(0);
        assertEquals(ErrorCode.NONE, offsets.getError().getCode(), offsets.toString());
        assertEquals(3, offsets.getTopic().getPartitionCount());
        assertEquals(1, offsets.getTopic().getReplicationFactor(), "capped at the one live broker");
        assertEquals("compact", offsets.getTopic().getConfigsMap().get("cleanup.policy"));
        FindCoordinatorResponse found = find("orders-app");
        assertEquals(1, found.getNodeId());
        assertEquals(node.grpcAddress().getPort(), found.getEndpoint().getPort());
    }

    @Test
    void aGroupIdThatIsEmptyOrTooLongIsInvalidRequestOnEveryCall() {
        String tooLong = "g".repeat(256);
        for (String bad : List.of("", tooLong)) {
            assertInvalid(find(bad).getError(), "group_id");
            assertInvalid(
                    groups().consumerGroupHeartbeat(join(bad, "member-1", List.of("events")))
                            .getError(),
                    "group_id");
            assertInvalid(
                    groups().offsetCommit(OffsetCommitRequest.newBuilder()
                                    .setGroupId(bad)
                                    .setMemberEpoch(-1)
                                    .build())
                            .getError(),
                    "group_id");
            assertInvalid(
                    groups().offsetFetch(OffsetFetchRequest.newBuilder()
                                    .setGroupId(bad)
                                    .build())
                            .getError(),
                    "group_id");
            assertInvalid(
                    groups().describeGroups(DescribeGroupsRequest.newBuilder()
                                    .addGroupIds(bad)
                                    .build())
                            .getError(),
                    "group_id");
        }
    }

    @Test
    void negativeRepeatedOrTooManyEntriesAreInvalidRequestNamingTheField() {
        OffsetCommitRequest good = commit("hostile", "", -1, 0, 1);
        assertInvalid(
                groups().offsetCommit(good.toBuilder().setMemberEpoch(-7).build())
                        .getError(),
                "member_epoch");
        assertInvalid(
                groups().offsetCommit(
                                good.toBuilder().setMemberId("m".repeat(256)).build())
                        .getError(),
                "member_id");
        assertInvalid(groups().offsetCommit(commit("hostile", "", -1, -3, 1)).getError(), "partition -3");
        OffsetCommitRequest.Topic events = good.getTopics(0);
        assertInvalid(
                groups().offsetCommit(good.toBuilder().addTopics(events).build())
                        .getError(),
                "twice");
        assertInvalid(
                groups().offsetCommit(good.toBuilder()
                                .setTopics(
                                        0,
                                        events.toBuilder()
                                                .setPartitions(
                                                        0,
                                                        events.getPartitions(0).toBuilder()
                                                                .setCommittedLeaderEpoch(-9)))
                                .build())
                        .getError(),
                "committed_leader_epoch");

        PartitionsByTopic tooMany = PartitionsByTopic.newBuilder()
                .setTopic("events")
                .addAllPartitions(IntStream.range(0, 10_001).boxed().toList())
                .build();
        assertInvalid(
                groups().offsetFetch(OffsetFetchRequest.newBuilder()
                                .setGroupId("hostile")
                                .addTopics(tooMany)
                                .build())
                        .getError(),
                "10000");
        assertInvalid(
                groups().consumerGroupHeartbeat(join("hostile", "m-1", List.of("events")).toBuilder()
                                .setOwnedTopicPartitions(ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder()
                                        .addTopics(tooMany))
                                .build())
                        .getError(),
                "owned_topic_partitions");
        assertInvalid(
                groups().describeGroups(DescribeGroupsRequest.newBuilder()
                                .addAllGroupIds(Collections.nCopies(10_001, "g"))
                                .build())
                        .getError(),
                "group_ids");
        // A negative member epoch other than the leave epochs is the group logic's to refuse, naming it.
        assertInvalid(
                groups().consumerGroupHeartbeat(join("hostile", "m-1", List.of("events")).toBuilder()
                                .setMemberEpoch(-5)
                                .build())
                        .getError(),
                "epoch");
    }

    @Test
    void aPatternThatIsNotAnRe2RegularExpressionIsInvalidRequestNamingIt() {
        ConsumerGroupHeartbeatResponse refused = groups().consumerGroupHeartbeat(
                        join("regex-app", "m-1", List.of()).toBuilder()
                                .clearSubscribedTopicNames()
                                .setSubscribedTopicRegex("events(")
                                .build());
        assertInvalid(refused.getError(), "events(");
    }

    @Test
    void anUnknownGroupIsNotFoundWhenDescribedOrDeleted() {
        DescribeGroupsResponse described = groups().describeGroups(DescribeGroupsRequest.newBuilder()
                .addGroupIds("nobody-here")
                .build());
        assertEquals(ErrorCode.NONE, described.getError().getCode(), described.toString());
        assertEquals(
                ErrorCode.GROUP_ID_NOT_FOUND, described.getGroups(0).getError().getCode());
        DeleteGroupsResponse deleted = groups().deleteGroups(DeleteGroupsRequest.newBuilder()
                .addGroupIds("nobody-here")
                .build());
        assertEquals(
                ErrorCode.GROUP_ID_NOT_FOUND, deleted.getResults(0).getError().getCode(), deleted.toString());
    }

    @Test
    void aMemberJoinsCommitsAndIsDescribedAndAnOutsiderCannotCommitForTheGroup() {
        ConsumerGroupHeartbeatResponse joined =
                groups().consumerGroupHeartbeat(join("billing", "member-1", List.of("events")));
        assertEquals(ErrorCode.NONE, joined.getError().getCode(), joined.toString());
        assertEquals(1, joined.getMemberEpoch());
        assertEquals(2, joined.getAssignment().getTopics(0).getPartitionsCount());

        OffsetCommitResponse committed = groups().offsetCommit(commit("billing", "member-1", 1, 0, 17));
        assertEquals(
                ErrorCode.NONE,
                committed.getTopics(0).getPartitions(0).getError().getCode(),
                committed.toString());
        OffsetCommitResponse outsider = groups().offsetCommit(commit("billing", "", -1, 0, 3));
        assertEquals(
                ErrorCode.UNKNOWN_MEMBER_ID,
                outsider.getTopics(0).getPartitions(0).getError().getCode(),
                outsider.toString());
        OffsetCommitResponse unknownTopic = groups().offsetCommit(commit("billing", "member-1", 1, 9, 3));
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION,
                unknownTopic.getTopics(0).getPartitions(0).getError().getCode(),
                unknownTopic.toString());

        OffsetFetchResponse fetched = groups().offsetFetch(
                        OffsetFetchRequest.newBuilder().setGroupId("billing").build());
        assertEquals(ErrorCode.NONE, fetched.getError().getCode(), fetched.toString());
        assertEquals(17, fetched.getTopics(0).getPartitions(0).getCommittedOffset());

        DescribeGroupsResponse.Description billing = groups().describeGroups(DescribeGroupsRequest.newBuilder()
                        .addGroupIds("billing")
                        .build())
                .getGroups(0);
        assertEquals(ErrorCode.NONE, billing.getError().getCode(), billing.toString());
        assertEquals("member-1", billing.getMembers(0).getMemberId());
        assertEquals("127.0.0.1", billing.getMembers(0).getClientHost());
        ListGroupsResponse listed = groups().listGroups(ListGroupsRequest.getDefaultInstance());
        assertTrue(listed.getGroupsList().stream().anyMatch(g -> g.getGroupId().equals("billing")), listed.toString());

        DeleteGroupsResponse notEmpty = groups().deleteGroups(
                        DeleteGroupsRequest.newBuilder().addGroupIds("billing").build());
        assertEquals(
                ErrorCode.NON_EMPTY_GROUP, notEmpty.getResults(0).getError().getCode(), notEmpty.toString());
    }

    @Test
    void offsetsOfASubscribedTopicStayAndAGroupWhoseMemberLeftIsDeletedWithItsOffsets() {
        assertEquals(
                ErrorCode.NONE,
                groups().consumerGroupHeartbeat(join("payments", "member-1", List.of("events")))
                        .getError()
                        .getCode());
        OffsetCommitResponse committed = groups().offsetCommit(commit("payments", "member-1", 1, 1, 5));
        assertEquals(
                ErrorCode.NONE,
                committed.getTopics(0).getPartitions(0).getError().getCode(),
                committed.toString());
        OffsetDeleteRequest deleteOffset = OffsetDeleteRequest.newBuilder()
                .setGroupId("payments")
                .addTopics(PartitionsByTopic.newBuilder().setTopic("events").addPartitions(1))
                .build();
        OffsetDeleteResponse subscribed = groups().offsetDelete(deleteOffset);
        assertEquals(
                ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
                subscribed.getTopics(0).getPartitions(0).getError().getCode(),
                subscribed.toString());

        ConsumerGroupHeartbeatResponse left = groups().consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("payments")
                .setMemberId("member-1")
                .setMemberEpoch(-1)
                .setRebalanceTimeoutMs(-1)
                .build());
        assertEquals(ErrorCode.NONE, left.getError().getCode(), left.toString());
        DeleteGroupsResponse deleted = groups().deleteGroups(
                        DeleteGroupsRequest.newBuilder().addGroupIds("payments").build());
        assertEquals(ErrorCode.NONE, deleted.getResults(0).getError().getCode(), deleted.toString());
        OffsetFetchResponse fetched = groups().offsetFetch(
                        OffsetFetchRequest.newBuilder().setGroupId("payments").build());
        assertEquals(ErrorCode.NONE, fetched.getError().getCode(), fetched.toString());
        assertEquals(0, fetched.getTopicsCount(), fetched.toString());
    }

    @Test
    void clientsMayReadTheOffsetsTopicButNotWriteCreateOrDeleteIt() {
        PartitionProduceResult produced = BrokerTestSupport.produce(channel, Acks.ACKS_ALL, OFFSETS, 0, batch("x", 1));
        assertEquals(ErrorCode.INVALID_TOPIC, produced.getError().getCode());
        assertTrue(
                produced.getError().getMessage().contains(OFFSETS),
                produced.getError().getMessage());
        Error created = stub(channel)
                .createTopic(CreateTopicRequest.newBuilder()
                        .setName(OFFSETS)
                        .setPartitionCount(1)
                        .setReplicationFactor(1)
                        .build())
                .getError();
        assertEquals(ErrorCode.INVALID_TOPIC, created.getCode(), created.toString());
        Error deleted = stub(channel)
                .deleteTopic(DeleteTopicRequest.newBuilder().setName(OFFSETS).build())
                .getError();
        assertEquals(ErrorCode.INVALID_TOPIC, deleted.getCode(), deleted.toString());
        assertEquals(
                ErrorCode.NONE,
                BrokerTestSupport.fetch(channel, OFFSETS, 0, 0).getError().getCode());
    }

    private static void assertInvalid(Error error, String named) {
        assertEquals(ErrorCode.INVALID_REQUEST, error.getCode(), error.toString());
        assertTrue(error.getMessage().contains(named), error.getMessage());
    }

    private static ConsumerGroupHeartbeatRequest join(String groupId, String memberId, List<String> topics) {
        return ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000)
                .setClientId("test")
                .setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                        .addAllNames(topics))
                .setOwnedTopicPartitions(ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.getDefaultInstance())
                .build();
    }

    private static OffsetCommitRequest commit(String groupId, String memberId, int epoch, int partition, long offset) {
        return OffsetCommitRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .addTopics(OffsetCommitRequest.Topic.newBuilder()
                        .setTopic("events")
                        .addPartitions(OffsetCommitRequest.Partition.newBuilder()
                                .setPartition(partition)
                                .setCommittedOffset(offset)
                                .setCommittedLeaderEpoch(-1)))
                .build();
    }
}
