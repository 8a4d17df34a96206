package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.ControllerInfo;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** process.roles=controller with the real controller: a 1-voter quorum starts, is healthy and answers. */
class ControllerRoleTest {

    @TempDir
    Path dir;

    static List<String> singleController(int nodeId, int raftPort, Path metadataDir) {
        return List.of(
                "node.id=" + nodeId,
                "process.roles=controller",
                "controller.quorum.voters=" + nodeId + "@127.0.0.1:" + raftPort,
                "controller.quorum.election.timeout.ms=300",
                "metadata.log.dir=" + metadataDir,
                "grpc.listener=127.0.0.1:0",
                "http.listener=127.0.0.1:0");
    }

    @Test
    void singleVoterControllerStartsIsHealthyAndDescribesTheCluster() throws Exception {
        NodeConfig config =
                NodeConfig.load(Optional.empty(), Map.of(), singleController(5, LoopbackPorts.freePort(), dir));
        try (FerryNode node = FerryNode.start(config)) {
            await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
            assertEquals(200, NodeHttp.get(node.httpAddress(), "/health").statusCode());
            assertTrue(Files.isDirectory(dir.resolve("__cluster_metadata")));

            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", node.grpcAddress().getPort())
                    .usePlaintext()
                    .build();
            try {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> HealthGrpc.newBlockingStub(channel)
                                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                                        .check(HealthCheckRequest.newBuilder()
                                                .setService("ferry.v1.ControllerService")
                                                .build())
                                        .getStatus()
                                == ServingStatus.SERVING);
                assertTrue(legacyReflectionLists(channel, "ferry.v1.ControllerService"));
                DescribeClusterResponse cluster = ControllerServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .describeCluster(DescribeClusterRequest.getDefaultInstance());
                assertEquals(5, cluster.getAnsweringNodeId());
                assertEquals(5, cluster.getControllerLeaderId());
                assertEquals(
                        List.of(5),
                        cluster.getControllersList().stream()
                                .map(ControllerInfo::getNodeId)
                                .toList());
                assertTrue(cluster.getControllers(0).getLeader(), cluster.toString());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            String metrics = NodeHttp.get(node.httpAddress(), "/metrics").body();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> NodeHttp.get(node.httpAddress(), "/metrics")
                            .body()
                            .contains("ferry_controller_active 1.0"));
            assertTrue(metrics.contains("ferry_controller_raft_leader"), metrics);
        }
    }

    @Test
    void aBusyRaftPortFailsStartUp() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            NodeConfig config =
                    NodeConfig.load(Optional.empty(), Map.of(), singleController(3, busy.getLocalPort(), dir));
            NodeStartException e = assertThrows(NodeStartException.class, () -> FerryNode.start(config));
            assertTrue(e.getMessage().contains("controller role failed to start"), e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains("cannot bind the controller's Raft address 127.0.0.1:" + busy.getLocalPort()),
                    e.getMessage());
        }
    }

    /** Asks the v1alpha reflection service (what older grpcurl versions use) to list services. */
    @SuppressWarnings("deprecation")
    private static boolean legacyReflectionLists(ManagedChannel channel, String service) throws Exception {
        var reply = new java.util.concurrent.CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse>();
        var requests = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.completeExceptionally(new IllegalStateException("no response"));
                    }
                });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
                .setListServices("")
                .build());
        requests.onCompleted();
        return reply.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .anyMatch(s -> s.getName().equals(service));
    }

    @Test
    void controllerConfigurationComesFromTheNodeKeys() throws Exception {
        NodeConfig config = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                List.of(
                        "node.id=2",
                        "process.roles=controller",
                        "controller.quorum.voters=1@a:9001,2@b:9002,3@c:9003",
                        "log.dirs=/data/1,/data/2",
                        "broker.session.timeout.ms=12000",
                        "broker.liveness.probe.after.ms=1500",
                        "controller.quorum.election.timeout.ms=500",
                        "unclean.leader.election.enable=true",
                        "auto.leader.rebalance.enable=false",
                        "leader.imbalance.check.interval.seconds=60",
                        "request.timeout.ms=7000"));
        var c = io.ferry.node.internal.ControllerRoleAccess.controllerConfig(config);
        assertEquals(2, c.nodeId());
        assertEquals(Map.of(1, "a:9001", 2, "b:9002", 3, "c:9003"), c.voters());
        assertEquals(Path.of("/data/1", "__cluster_metadata"), c.metadataDir());
        assertEquals(12_000, c.brokerSessionTimeoutMs());
        assertEquals(1_500, c.brokerLivenessProbeAfterMs());
        assertEquals(500, c.electionTimeoutMinMs());
        assertEquals(1_000, c.electionTimeoutMaxMs());
        assertTrue(c.uncleanLeaderElectionEnable());
        assertEquals(false, c.autoLeaderRebalanceEnable());
        assertEquals(60_000, c.leaderImbalanceCheckIntervalMs());
        assertEquals(7_000, c.requestTimeoutMs());
    }
}
