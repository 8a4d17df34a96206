package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.RegisterBrokerRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ControllerFailoverTest {
    private static final int TOPICS = 30;

    private static MetadataImage image(ControllerCluster cluster, int node) {
        return cluster.stub(node)
                .fetchMetadata(
                        FetchMetadataRequest.newBuilder().setSinceVersion(-1).build())
                .getImage();
    }

    /**
     * Creates a topic through {@code node} under {@code key}, asking again while no controller is active, as
     * a broker's controller gateway does.
     */
    private static CreateTopicResponse createTopic(ControllerCluster cluster, int node, String name, String key) {
        CreateTopicRequest request = CreateTopicRequest.newBuilder()
                .setName(name)
                .setPartitionCount(2)
                .setReplicationFactor(3)
                .setIdempotencyKey(key)
                .build();
        return ControllerCluster.answered(
                () -> cluster.stub(node).createTopic(request), r -> r.getError().getCode());
    }

    private static void createTopic(ControllerCluster cluster, int node, String name) {
        CreateTopicResponse r =
                createTopic(cluster, node, name, UUID.randomUUID().toString());
        assertEquals(ErrorCode.NONE, r.getError().getCode(), r.getError().getMessage());
    }

    @Test
    void killingTheActiveControllerLosesNothingForgetsNoIdempotencyKeyAndRestartedNodesCatchUp() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(
                        3, c -> c.withBrokerSessionTimeoutMs(4_000).withSnapshotThreshold(16));
                Heartbeats heartbeats = new Heartbeats(cluster, List.of(1, 2, 3), 300)) {
            int first = cluster.awaitActive();
            for (int b = 1; b <= 3; b++) {
                assertEquals(
                        ErrorCode.NONE,
                        cluster.stub(first)
                                .registerBroker(RegisterBrokerRequest.newBuilder()
                                        .setBrokerId(b)
                                        .setIncarnationId("b" + b)
                                        .build())
                                .getError()
                                .getCode());
                heartbeats.add(b, "b" + b);
            }
            await().atMost(ControllerCluster.AWAIT)
                    .until(() ->
                            image(cluster, first).getBrokersList().stream().noneMatch(BrokerRegistration::getFenced));
            CreateTopicResponse keyed = createTopic(cluster, cluster.follower(), "keyed", "k-keyed");
            assertEquals(
                    ErrorCode.NONE, keyed.getError().getCode(), keyed.getError().getMessage());
            for (int i = 0; i < TOPICS; i++) {
                createTopic(cluster, cluster.follower(), "t" + i);
            }
            int active = cluster.awaitActive();
            MetadataImage before = image(cluster, active);
            assertEquals(TOPICS + 1, before.getTopicsCount());
            await().atMost(ControllerCluster.AWAIT).until(() -> cluster.hasSnapshot(active));

            // Kill the active controller: another node takes over with every record, and fences no one.
            cluster.kill(active);
            int survivor = active == 1 ? 2 : 1;
            createTopic(cluster, survivor, "during-failover"); // forwarded or served once a new leader is ready
            // A retry of a committed creation, through another node, after its active controller died: answered
            // as that creation was, not TOPIC_ALREADY_EXISTS; the key with another request is refused.
            assertEquals(keyed, createTopic(cluster, survivor, "keyed", "k-keyed"));
            assertEquals(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    createTopic(cluster, survivor, "other", "k-keyed")
                            .getError()
                            .getCode());
            int next = cluster.awaitActive();
            assertNotEquals(active, next);
            MetadataImage afterFailover = image(cluster, next);
            assertEquals(before.getBrokersList(), afterFailover.getBrokersList());
            assertTrue(afterFailover.getTopicsList().containsAll(before.getTopicsList()));
            assertTrue(afterFailover.getPartitionsList().containsAll(before.getPartitionsList()));
            assertEquals(TOPICS + 2, afterFailover.getTopicsCount());
            createTopic(cluster, next, "after-failover");
            assertTrue(
                    cluster
                            .stub(next)
                            .describeCluster(DescribeClusterRequest.getDefaultInstance())
                            .getBrokersList()
                            .stream()
                            .noneMatch(BrokerRegistration::getFenced));

            // The killed node comes back: snapshot + its log + what it missed.
            cluster.restart(active);
            await().atMost(ControllerCluster.AWAIT)
                    .until(() -> cluster.node(active).metadataVersion()
                            == cluster.node(next).metadataVersion());
            assertEquals(image(cluster, next), image(cluster, active));

            // The whole quorum restarts from disk (brokers keep heartbeating, so nothing else changes).
            MetadataImage last = image(cluster, next);
            cluster.restartEveryNode();
            int recovered = cluster.awaitActive();
            await().atMost(ControllerCluster.AWAIT)
                    .until(() -> List.of(1, 2, 3).stream()
                            .allMatch(id -> cluster.node(id).metadataVersion() == last.getVersion()));
            for (int id = 1; id <= 3; id++) {
                assertEquals(last, image(cluster, id), "node " + id + " (active: " + recovered + ")");
            }
            // The key came back with the snapshots (the log up to them is purged).
            assertEquals(keyed, createTopic(cluster, recovered, "keyed", "k-keyed"));
        }
    }
}
