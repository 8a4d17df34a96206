package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.NodeHttpAccess;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer group metrics of one broker,controller node, scraped from its /metrics: the lag of each
 * partition a group committed an offset for, as the records produced past it, and the group's series gone
 * once the group is deleted.
 */
class GroupLagMetricsNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    private GroupServiceBlockingStub groups() {
        return GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static String lag(int partition) {
        return "ferry_group_lag_records{group=\"billing\",partition=\"" + partition + "\",topic=\"events\"} ";
    }

    private void awaitScraped(String... lines) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            String body = NodeHttpAccess.metrics(node);
            return List.of(lines).stream().allMatch(line -> body.contains(line + "\n"));
        });
    }

    @Test
    void lagIsTheRecordsProducedPastTheCommittedOffsetAndLeavesWithTheGroup() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("offsets.topic.num.partitions=1");
        settings.add("group.lag.refresh.interval.ms=100");
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(WAIT).until(node::isHealthy);
        channel = BrokerTestSupport.channel(node);
        createTopic(channel, "events", 2, Map.of());
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "events", 0, batch("a", 10))
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "events", 1, batch("b", 3))
                        .getError()
                        .getCode());

        // Given: billing, with no members, committed 4 of partition 0's 10 records and all 3 of partition 1's.
        await().atMost(WAIT)
                .until(() -> groups().findCoordinator(FindCoordinatorRequest.newBuilder()
                                        .setGroupId("billing")
                                        .build())
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        await().atMost(WAIT).until(() -> {
            OffsetCommitResponse committed = groups().offsetCommit(commit(Map.of(0, 4L, 1, 3L)));
            return committed.getError().getCode() == ErrorCode.NONE
                    && committed.getTopics(0).getPartitionsList().stream()
                            .allMatch(p -> p.getError().getCode() == ErrorCode.NONE);
        });

        // Then the coordinator exports its lag, members and state.
        awaitScraped(
                lag(0) + "6.0",
                lag(1) + "0.0",
                "ferry_group_members{group=\"billing\"} 0.0",
                "ferry_group_state{group=\"billing\",state=\"Empty\"} 1.0");

        // When more records arrive, the lag grows by them.
        produce(channel, Acks.ACKS_ALL, "events", 1, batch("c", 5));
        awaitScraped(lag(0) + "6.0", lag(1) + "5.0");

        // When the group is deleted, its series go.
        DeleteGroupsResponse deleted = groups().deleteGroups(
                        DeleteGroupsRequest.newBuilder().addGroupIds("billing").build());
        assertEquals(ErrorCode.NONE, deleted.getResults(0).getError().getCode(), deleted.toString());
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !NodeHttpAccess.metrics(node).contains("group=\"billing\""));
    }

    private static OffsetCommitRequest commit(Map<Integer, Long> offsets) {
        OffsetCommitRequest.Topic.Builder topic =
                OffsetCommitRequest.Topic.newBuilder().setTopic("events");
        offsets.forEach((partition, offset) -> topic.addPartitions(OffsetCommitRequest.Partition.newBuilder()
                .setPartition(partition)
                .setCommittedOffset(offset)
                .setCommittedLeaderEpoch(-1)));
        return OffsetCommitRequest.newBuilder()
                .setGroupId("billing")
                .setMemberEpoch(-1)
                .addTopics(topic)
                .build();
    }
}
