package io.ferry.node.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryAdmin;
import io.ferry.client.TopicDescription;
import io.ferry.node.broker.GroupTestMember;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionsByTopic;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups through real nodes: 3 controllers and 3 brokers in one JVM, the group's coordinator the
 * leader of its {@code __consumer_offsets} partition, driven through GroupService stubs as a client would.
 */
class ConsumerGroupsClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GROUP = "payments";

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
        }
    }

    /** Stubs of the broker on {@code port}, each with a deadline that starts when it is made. */
    private Supplier<GroupServiceBlockingStub> stub(int port) {
        ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(channel);
        return () -> GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Any live broker's stub. */
    private Supplier<GroupServiceBlockingStub> anyBroker() {
        String first = cluster.bootstrapServers().split(",")[0];
        return stub(Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)));
    }

    /** Asks until a coordinator is named; the first call creates __consumer_offsets. */
    private FindCoordinatorResponse findCoordinator(Supplier<GroupServiceBlockingStub> via) {
        FindCoordinatorResponse[] found = new FindCoordinatorResponse[1];
        await().atMost(WAIT).until(() -> {
            found[0] = via.get()
                    .findCoordinator(FindCoordinatorRequest.newBuilder()
                            .setGroupId(GROUP)
                            .build());
            return found[0].getError().getCode() == ErrorCode.NONE;
        });
        return found[0];
    }

    @Test
    void threeMembersShareSixPartitionsAndTheirCommitsOutliveTheCoordinator() throws Exception {
        cluster = new InProcessCluster(
                dir,
                Map.of(
                        "offsets.topic.num.partitions", "5",
                        "group.consumer.heartbeat.interval.ms", "200",
                        "group.consumer.session.timeout.ms", "30000"));
        try (FerryAdmin admin = cluster.admin()) {
            admin.createTopic("orders", 6, 3, Map.of());

            // Given: FindCoordinator on any broker creates __consumer_offsets and names the group's coordinator.
            FindCoordinatorResponse coordinator = findCoordinator(anyBroker());
            TopicDescription offsets =
                    admin.describeTopics(List.of("__consumer_offsets")).get("__consumer_offsets");
            assertEquals(5, offsets.partitions().size());
            assertEquals(3, offsets.replicationFactor());
            assertEquals("compact", offsets.configs().get("cleanup.policy"));
            Supplier<GroupServiceBlockingStub> group =
                    stub(coordinator.getEndpoint().getPort());

            // When: three members join and heartbeat until the group is stable.
            List<GroupTestMember> members = List.of(
                    new GroupTestMember(GROUP, List.of("orders")),
                    new GroupTestMember(GROUP, List.of("orders")),
                    new GroupTestMember(GROUP, List.of("orders")));
            GroupTestMember first = members.get(0);
            await().atMost(WAIT)
                    .until(() -> first.heartbeat(group.get()).getError().getCode() == ErrorCode.NONE);
            int firstEpoch = first.epoch();
            assertEquals(6, first.owned().size(), "alone, the first member gets every partition");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                members.forEach(m -> m.heartbeat(group.get()));
                return members.stream().allMatch(m -> m.owned().size() == 2);
            });

            // Then: two partitions each, none twice.
            Set<String> all = new HashSet<>();
            members.forEach(m -> all.addAll(m.owned()));
            assertEquals(6, all.size(), "every partition owned once: " + all);

            // A member commits at its epoch; a commit at the epoch it had when it owned everything, for a
            // partition now another member's, is refused.
            GroupTestMember second = members.get(1);
            String theirs = second.owned().iterator().next();
            String mine = first.owned().iterator().next();
            OffsetCommitResponse committed = group.get().offsetCommit(commit(first, first.epoch(), mine, 42));
            assertEquals(
                    ErrorCode.NONE,
                    committed.getTopics(0).getPartitions(0).getError().getCode(),
                    committed.toString());
            OffsetCommitResponse stale = group.get().offsetCommit(commit(first, firstEpoch, theirs, 7));
            assertEquals(
                    ErrorCode.STALE_MEMBER_EPOCH,
                    stale.getTopics(0).getPartitions(0).getError().getCode(),
                    stale.toString());
            assertEquals(42, committedOffset(group, mine));
            assertEquals(-1, committedOffset(group, theirs));

            // When the coordinator stops, another broker leads the partition, loads the group, and has the offset.
            cluster.stopBroker(coordinator.getNodeId());
            FindCoordinatorResponse next = findCoordinatorOtherThan(coordinator.getNodeId());
            Supplier<GroupServiceBlockingStub> moved = stub(next.getEndpoint().getPort());
            await().atMost(WAIT).until(() -> {
                OffsetFetchResponse fetched = moved.get().offsetFetch(fetch(mine));
                return fetched.getError().getCode() == ErrorCode.NONE
                        && fetched.getTopics(0).getPartitions(0).getCommittedOffset() == 42;
            });
            // The members carry on with the new coordinator, at the epochs they had.
            for (GroupTestMember m : members) {
                assertEquals(
                        ErrorCode.NONE,
                        m.heartbeat(moved.get()).getError().getCode(),
                        m.last().toString());
            }
            assertTrue(members.stream().allMatch(m -> m.owned().size() == 2));
        }
    }

    private FindCoordinatorResponse findCoordinatorOtherThan(int stopped) {
        FindCoordinatorResponse[] found = new FindCoordinatorResponse[1];
        await().atMost(WAIT).until(() -> {
            found[0] = anyLiveBroker(stopped)
                    .get()
                    .findCoordinator(FindCoordinatorRequest.newBuilder()
                            .setGroupId(GROUP)
                            .build());
            return found[0].getError().getCode() == ErrorCode.NONE && found[0].getNodeId() != stopped;
        });
        assertNotEquals(stopped, found[0].getNodeId());
        return found[0];
    }

    private Supplier<GroupServiceBlockingStub> anyLiveBroker(int stopped) {
        for (int id = 101; id <= 103; id++) {
            if (id != stopped && cluster.broker(id).isPresent()) {
                return stub(cluster.broker(id).get().grpcAddress().getPort());
            }
        }
        throw new IllegalStateException("no live broker");
    }

    private static OffsetCommitRequest commit(GroupTestMember member, int epoch, String tp, long offset) {
        int dash = tp.lastIndexOf('-');
        return OffsetCommitRequest.newBuilder()
                .setGroupId(GROUP)
                .setMemberId(member.memberId())
                .setMemberEpoch(epoch)
                .addTopics(OffsetCommitRequest.Topic.newBuilder()
                        .setTopic(tp.substring(0, dash))
                        .addPartitions(OffsetCommitRequest.Partition.newBuilder()
                                .setPartition(Integer.parseInt(tp.substring(dash + 1)))
                                .setCommittedOffset(offset)
                                .setCommittedLeaderEpoch(-1)))
                .build();
    }

    private static OffsetFetchRequest fetch(String tp) {
        int dash = tp.lastIndexOf('-');
        return OffsetFetchRequest.newBuilder()
                .setGroupId(GROUP)
                .addTopics(PartitionsByTopic.newBuilder()
                        .setTopic(tp.substring(0, dash))
                        .addPartitions(Integer.parseInt(tp.substring(dash + 1))))
                .build();
    }

    private static long committedOffset(Supplier<GroupServiceBlockingStub> group, String tp) {
        OffsetFetchResponse fetched = group.get().offsetFetch(fetch(tp));
        assertEquals(ErrorCode.NONE, fetched.getError().getCode(), fetched.toString());
        return fetched.getTopics(0).getPartitions(0).getCommittedOffset();
    }
}
