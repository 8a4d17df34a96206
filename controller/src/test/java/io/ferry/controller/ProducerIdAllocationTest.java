package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AllocateProducerIdsResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RegisterBrokerRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AllocateProducerIds through a real quorum: forwarded to the active controller, never reused after failovers. */
class ProducerIdAllocationTest {

    private static AllocateProducerIdsResponse allocate(ControllerCluster cluster, int node, int broker) {
        AllocateProducerIdsRequest request = AllocateProducerIdsRequest.newBuilder()
                .setBrokerId(broker)
                .setIncarnationId("b" + broker)
                .build();
        return ControllerCluster.answered(
                () -> cluster.stub(node).allocateProducerIds(request),
                r -> r.getError().getCode());
    }

    /** Allocates a block through {@code node} and checks it starts at or above {@code atLeast}; its end. */
    private static long allocateAbove(ControllerCluster cluster, int node, long atLeast) {
        AllocateProducerIdsResponse block = allocate(cluster, node, 1);
        assertEquals(ErrorCode.NONE, block.getError().getCode(), block.toString());
        assertTrue(block.getProducerIdLen() > 0, block.toString());
        assertTrue(
                block.getProducerIdStart() >= atLeast,
                "block " + block.getProducerIdStart() + " starts below " + atLeast + ", an id handed out already");
        return block.getProducerIdStart() + block.getProducerIdLen();
    }

    @Test
    void blocksAreDisjointAndIncreasingAcrossFailoversAndAFullRestart() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(3, c -> c.withSnapshotThreshold(8));
                Heartbeats heartbeats = new Heartbeats(cluster, List.of(1, 2, 3), 200)) {
            int first = cluster.awaitActive();
            assertEquals(
                    ErrorCode.NONE,
                    cluster.stub(first)
                            .registerBroker(RegisterBrokerRequest.newBuilder()
                                    .setBrokerId(1)
                                    .setIncarnationId("b1")
                                    .build())
                            .getError()
                            .getCode());
            heartbeats.add(1, "b1");
            await().atMost(ControllerCluster.AWAIT)
                    .until(
                            () -> cluster
                                    .stub(first)
                                    .describeCluster(DescribeClusterRequest.getDefaultInstance())
                                    .getBrokersList()
                                    .stream()
                                    .noneMatch(BrokerRegistration::getFenced));

            // Enough blocks, through a follower (forwarded), that a snapshot holds some of them.
            long handedOut = 0;
            for (int i = 0; i < 12; i++) {
                handedOut = allocateAbove(cluster, cluster.follower(), handedOut);
            }

            int active = cluster.awaitActive();
            cluster.kill(active);
            int survivor = active == 1 ? 2 : 1;
            handedOut = allocateAbove(cluster, survivor, handedOut);

            cluster.restart(active);
            cluster.restartEveryNode();
            int recovered = cluster.awaitActive();
            allocateAbove(cluster, recovered, handedOut);
        }
    }

    @Test
    void anUnknownOrFencedBrokerGetsNoIds() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(1, c -> c)) {
            int node = cluster.awaitActive();
            assertEquals(
                    ErrorCode.UNKNOWN_BROKER,
                    allocate(cluster, node, 7).getError().getCode());
            cluster.stub(node)
                    .registerBroker(RegisterBrokerRequest.newBuilder()
                            .setBrokerId(7)
                            .setIncarnationId("b7")
                            .build());
            // Registered, but fenced until its first heartbeat.
            assertEquals(
                    ErrorCode.BROKER_FENCED,
                    allocate(cluster, node, 7).getError().getCode());
        }
    }
}
