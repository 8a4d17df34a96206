package io.ferry.node.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.node.NodeHttpAccess;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer lag a coordinator exports for partitions other brokers lead: their end offsets come from
 * those leaders (ListOffsets), also after the leaderships move, and the brokers that do not coordinate the
 * group export nothing for it.
 */
class GroupLagClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GROUP = "billing";
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
        }
    }

    @Test
    void theCoordinatorExportsTheLagOfPartitionsOtherBrokersLead() throws Exception {
        cluster = new InProcessCluster(
                dir, Map.of("offsets.topic.num.partitions", "1", "group.lag.refresh.interval.ms", "200"));
        try (FerryAdmin admin = cluster.admin()) {
            // Healthy brokers may not all be live to the controller yet on a loaded machine.
            await().atMost(WAIT)
                    .ignoreExceptionsMatching(
                            e -> String.valueOf(e.getMessage()).contains("live brokers"))
                    .until(() -> admin.createTopic("orders", PARTITIONS, 3, Map.of()) != null);
            // Given: partition p holds 10 * (p + 1) records.
            produce(p -> 10 * (p + 1));
            String first = cluster.bootstrapServers().split(",")[0];
            channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)))
                    .usePlaintext()
                    .build();
            FindCoordinatorResponse[] found = new FindCoordinatorResponse[1];
            await().atMost(WAIT).until(() -> {
                found[0] = GroupServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .findCoordinator(FindCoordinatorRequest.newBuilder()
                                .setGroupId(GROUP)
                                .build());
                return found[0].getError().getCode() == ErrorCode.NONE;
            });
            int coordinator = found[0].getNodeId();
            List<Integer> leaders = java.util.stream.IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> InProcessCluster.describe(admin, "orders", p).leader())
                    .toList();
            assertTrue(leaders.stream().anyMatch(l -> l != coordinator), "some partition led elsewhere: " + leaders);

            // When: the group commits offset 1 of each partition, through its coordinator.
            ManagedChannel toCoordinator = NettyChannelBuilder.forAddress(
                            "127.0.0.1", found[0].getEndpoint().getPort())
                    .usePlaintext()
                    .build();
            try {
                OffsetCommitRequest.Topic.Builder topic =
                        OffsetCommitRequest.Topic.newBuilder().setTopic("orders");
                for (int p = 0; p < PARTITIONS; p++) {
                    topic.addPartitions(OffsetCommitRequest.Partition.newBuilder()
                            .setPartition(p)
                            .setCommittedOffset(1)
                            .setCommittedLeaderEpoch(-1));
                }
                OffsetCommitRequest commit = OffsetCommitRequest.newBuilder()
                        .setGroupId(GROUP)
                        .setMemberEpoch(-1)
                        .addTopics(topic)
                        .build();
                await().atMost(WAIT).until(() -> {
                    OffsetCommitResponse committed = GroupServiceGrpc.newBlockingStub(toCoordinator)
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .offsetCommit(commit);
                    return committed.getError().getCode() == ErrorCode.NONE
                            && committed.getTopics(0).getPartitionsList().stream()
                                    .allMatch(p -> p.getError().getCode() == ErrorCode.NONE);
                });
            } finally {
                toCoordinator.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            // Then: the coordinator exports each partition's lag, wherever it is led.
            awaitLag(coordinator, p -> 10 * (p + 1) - 1);
            for (int id = 101; id <= 103; id++) {
                if (id != coordinator) {
                    assertFalse(
                            NodeHttpAccess.metrics(cluster.broker(id).orElseThrow())
                                    .contains("group=\"" + GROUP + "\""),
                            "broker " + id + " does not coordinate " + GROUP);
                }
            }

            // When a broker other than the coordinator stops, its leaderships move; five more records per
            // partition reach the new leaders, and the coordinator's lag counts them.
            int stopped =
                    leaders.stream().filter(l -> l != coordinator).findFirst().orElseThrow();
            cluster.stopBroker(stopped);
            produce(p -> 5);
            awaitLag(coordinator, p -> 10 * (p + 1) + 4);
        }
    }

    /** Sends {@code records.applyAsInt(p)} records to each partition p, acks=all, and waits for them. */
    private void produce(IntUnaryOperator records) {
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(
                Map.of("bootstrap.servers", cluster.bootstrapServers(), "acks", "all", "retries", "10")))) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < records.applyAsInt(p); i++) {
                    producer.send(new ProducerRecord("orders", p, null, "r".getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    /** Waits until the coordinator exports lag {@code lag.applyAsInt(p)} for each partition p. */
    private void awaitLag(int coordinator, IntUnaryOperator lag) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String body = NodeHttpAccess.metrics(cluster.broker(coordinator).orElseThrow());
            for (int p = 0; p < PARTITIONS; p++) {
                String line = "ferry_group_lag_records{group=\"" + GROUP + "\",partition=\"" + p
                        + "\",topic=\"orders\"} " + (double) lag.applyAsInt(p) + "\n";
                if (!body.contains(line)) {
                    return false;
                }
            }
            return true;
        });
    }
}
