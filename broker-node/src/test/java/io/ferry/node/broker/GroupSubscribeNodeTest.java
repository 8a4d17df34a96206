package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.CommitOffset;
import io.ferry.proto.v1.CommitResult;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeCommit;
import io.ferry.proto.v1.SubscribePartition;
import io.ferry.proto.v1.SubscribeStart;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Subscribe with a group_id on one node: streams as consumer group members that share partitions and commit. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupSubscribeNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 10;

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(LoopbackPorts.freePort(), dir.resolve("logs"));
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    /** A topic whose every partition holds {@link #PER_PARTITION} records "p-i". */
    private void topicWithRecords(String topic) {
        createTopic(channel, topic, PARTITIONS, Map.of());
        PublishRequest.Builder request =
                PublishRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_ALL);
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < PER_PARTITION; i++) {
                request.addRecords(
                        PublishRecord.newBuilder().setPartition(p).setValue(ByteString.copyFromUtf8(p + "-" + i)));
            }
        }
        PublishTestSupport.publish(channel, request.build());
    }

    private static SubscribeStart.Builder member(String topic, String group) {
        return SubscribeStart.newBuilder()
                .setTopic(topic)
                .setGroupId(group)
                .setStart(StartPosition.newBuilder().setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST));
    }

    private static Set<Integer> partitionsOf(List<ConsumedRecord> records) {
        Set<Integer> partitions = new HashSet<>();
        records.forEach(r -> partitions.add(r.getPartition()));
        return partitions;
    }

    private Map<Integer, Long> committed(String group, String topic) {
        OffsetFetchResponse answer = GroupServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .offsetFetch(OffsetFetchRequest.newBuilder()
                        .setGroupId(group)
                        .addTopics(
                                PartitionsByTopic.newBuilder().setTopic(topic).addAllPartitions(List.of(0, 1, 2, 3)))
                        .build());
        Map<Integer, Long> offsets = new HashMap<>();
        answer.getTopics(0).getPartitionsList().forEach(p -> offsets.put(p.getPartition(), p.getCommittedOffset()));
        return offsets;
    }

    @Test
    void twoStreamsShareTheTopicAndTheSurvivorTakesOverFromTheCommittedOffsets() throws Exception {
        topicWithRecords("shared");
        TestSubscriber a =
                TestSubscriber.open(channel, member("shared", "g-share").build());
        await().atMost(WAIT).until(() -> a.assigned().size() == PARTITIONS);
        await().atMost(WAIT).until(() -> a.records().size() == PARTITIONS * PER_PARTITION);

        TestSubscriber b =
                TestSubscriber.open(channel, member("shared", "g-share").build());
        // The group moves two partitions to b: a stops delivering them first, then b gets them.
        await().atMost(WAIT)
                .until(() -> a.assigned().size() == 2 && b.assigned().size() == 2);
        Set<Integer> all = new HashSet<>(a.assigned());
        all.addAll(b.assigned());
        assertEquals(Set.of(0, 1, 2, 3), all, "the two members own every partition once");
        // a committed nothing, so b starts its partitions at the earliest offset.
        await().atMost(WAIT).until(() -> b.records().size() == 2 * PER_PARTITION);
        assertEquals(new HashSet<>(b.assigned()), partitionsOf(b.records()));

        // b commits 4 records of each of its partitions; the coordinator has them.
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        b.assigned().forEach(p -> offsets.put(p, 4L));
        b.commit(7, offsets);
        await().atMost(WAIT).until(() -> b.commits().size() == 1);
        CommitResult result = b.commits().get(0);
        assertEquals(7, result.getCommitId());
        result.getPartitionsList().forEach(p -> assertFalse(p.hasError(), result.toString()));
        offsets.forEach((p, o) -> assertEquals(o, committed("g-share", "shared").get(p)));

        // b goes; a takes its partitions back from b's committed offsets: records 4..9 of each, no more.
        int before = a.records().size();
        b.cancel();
        await().atMost(WAIT).until(() -> a.assigned().size() == PARTITIONS);
        await().atMost(WAIT).until(() -> a.records().size() == before + 2 * (PER_PARTITION - 4));
        List<String> resumed = new ArrayList<>();
        a.records()
                .subList(before, a.records().size())
                .forEach(r -> resumed.add(r.getPartition() + ":" + r.getOffset() + ":"
                        + r.getValue().toString(StandardCharsets.UTF_8)));
        for (String record : resumed) {
            int partition = Integer.parseInt(record.split(":")[0]);
            assertTrue(offsets.containsKey(partition), "only b's partitions are delivered again: " + resumed);
            assertTrue(Long.parseLong(record.split(":")[1]) >= 4, "from b's committed offset on: " + resumed);
        }
        a.cancel();
    }

    @Test
    void theGroupListsTheStreamAsAMemberUntilItEnds() throws Exception {
        topicWithRecords("described");
        TestSubscriber s =
                TestSubscriber.open(channel, member("described", "g-describe").build());
        await().atMost(WAIT).until(() -> s.assigned().size() == PARTITIONS);
        String memberId = s.assignments().get(s.assignments().size() - 1).getMemberId();
        DescribeGroupsResponse.Description group = describe("g-describe");
        assertEquals(1, group.getMembersCount(), group.toString());
        assertEquals(memberId, group.getMembers(0).getMemberId());
        assertEquals("ferry-subscribe", group.getMembers(0).getClientId());

        s.cancel();
        // It leaves at once instead of expiring after the session timeout.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> describe("g-describe").getMembersCount() == 0);
    }

    private DescribeGroupsResponse.Description describe(String group) {
        return GroupServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .describeGroups(
                        DescribeGroupsRequest.newBuilder().addGroupIds(group).build())
                .getGroups(0);
    }

    @Test
    void commitsOfPartitionsTheStreamDoesNotOwnOrThatDoNotExistAreRefusedOneByOne() throws Exception {
        createTopic(channel, "one-of-two", 2, Map.of());
        TestSubscriber s =
                TestSubscriber.open(channel, member("one-of-two", "g-commits").build());
        await().atMost(WAIT).until(() -> s.assigned().size() == 2);
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        offsets.put(0, 0L);
        offsets.put(9, 1L);
        s.commit(1, offsets);
        offsets.clear();
        offsets.put(-1, 1L);
        offsets.put(1, -5L);
        s.commit(2, offsets);
        await().atMost(WAIT).until(() -> s.commits().size() == 2);
        CommitResult result = s.commits().get(0);
        assertFalse(result.getPartitions(0).hasError(), result.toString());
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION, result.getPartitions(1).getError().getCode());
        CommitResult second = s.commits().get(1);
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION, second.getPartitions(0).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST, second.getPartitions(1).getError().getCode());
        assertTrue(second.getPartitions(1).getError().getMessage().contains("offsets[1].offset"), second.toString());

        // A partition named twice: the first entry is committed, the repeat refused.
        s.commit(SubscribeCommit.newBuilder()
                .setCommitId(5)
                .addOffsets(CommitOffset.newBuilder().setPartition(1).setOffset(0))
                .addOffsets(CommitOffset.newBuilder().setPartition(1).setOffset(0))
                .build());
        await().atMost(WAIT).until(() -> s.commits().size() == 3);
        CommitResult repeated = s.commits().get(2);
        assertEquals(5, repeated.getCommitId());
        assertFalse(repeated.getPartitions(0).hasError(), repeated.toString());
        assertEquals(
                ErrorCode.INVALID_REQUEST, repeated.getPartitions(1).getError().getCode());
        assertTrue(
                repeated.getPartitions(1).getError().getMessage().contains("named more than once"),
                repeated.toString());

        // A second member takes one partition; a commit of it by the first is refused, the stream stays open.
        TestSubscriber other =
                TestSubscriber.open(channel, member("one-of-two", "g-commits").build());
        await().atMost(WAIT)
                .until(() -> s.assigned().size() == 1 && other.assigned().size() == 1);
        int taken = other.assigned().get(0);
        s.commit(6, Map.of(taken, 0L));
        await().atMost(WAIT).until(() -> s.commits().size() == 4);
        assertEquals(
                ErrorCode.STALE_MEMBER_EPOCH,
                s.commits().get(3).getPartitions(0).getError().getCode());
        assertFalse(s.ended().isDone());
        s.cancel();
        other.cancel();
    }

    @Test
    void badGroupStartsAndCommitsWithoutAGroupEndTheStreamWithAClearStatus() throws Exception {
        createTopic(channel, "checked", 2, Map.of());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "group_id is 256 characters long",
                member("checked", "g".repeat(256)).build());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "the group assigns",
                member("checked", "g-bad")
                        .addPartitions(SubscribePartition.newBuilder().setPartition(0))
                        .build());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "start.offset is set with a group_id",
                member("checked", "g-bad")
                        .setStart(StartPosition.newBuilder().setOffset(3))
                        .build());
        assertRefused(
                Status.Code.NOT_FOUND, "does not exist", member("nope", "g-bad").build());

        TestSubscriber plain = TestSubscriber.open(
                channel, SubscribeStart.newBuilder().setTopic("checked").build());
        plain.commit(1, Map.of(0, 1L));
        Status status = plain.ended().get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains("without a group_id"), status.toString());

        // More entries than the topic has partitions: each would be answered, so a small request of repeats
        // would grow into a large answer; the stream ends instead.
        TestSubscriber repeats =
                TestSubscriber.open(channel, member("checked", "g-repeats").build());
        await().atMost(WAIT).until(() -> repeats.assigned().size() == 2);
        SubscribeCommit.Builder many = SubscribeCommit.newBuilder().setCommitId(1);
        for (int i = 0; i < 3; i++) {
            many.addOffsets(CommitOffset.newBuilder().setPartition(0).setOffset(1));
        }
        repeats.commit(many.build());
        Status tooMany = repeats.ended().get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getCode(), tooMany.toString());
        assertTrue(
                tooMany.getDescription().contains("offsets has 3 entries; the topic has 2 partitions"),
                tooMany.toString());
        assertTrue(repeats.commits().isEmpty());

        // The node keeps serving group streams.
        TestSubscriber fine =
                TestSubscriber.open(channel, member("checked", "g-fine").build());
        await().atMost(WAIT).until(() -> fine.assigned().size() == 2);
        fine.cancel();
    }

    private void assertRefused(Status.Code code, String inMessage, SubscribeStart start) throws Exception {
        Status status = TestSubscriber.open(channel, start).ended().get(30, TimeUnit.SECONDS);
        assertEquals(code, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains(inMessage), status.toString());
    }
}
