package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.testsupport.LoopbackPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerNodeTest {
    @TempDir
    Path dir;

    @Test
    void singleNodeRegistersBrokersAndCreatesTopics() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(1, c -> c)) {
            assertEquals(1, cluster.awaitActive());
            var stub = cluster.stub(1);
            assertEquals(
                    ErrorCode.NONE,
                    stub.registerBroker(RegisterBrokerRequest.newBuilder()
                                    .setBrokerId(7)
                                    .setIncarnationId("a")
                                    .addEndpoints(Endpoint.newBuilder()
                                            .setName("grpc")
                                            .setHost("127.0.0.1")
                                            .setPort(9092))
                                    .build())
                            .getError()
                            .getCode());
            BrokerHeartbeatResponse hb = stub.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                    .setBrokerId(7)
                    .setIncarnationId("a")
                    .build());
            assertEquals(ErrorCode.NONE, hb.getError().getCode());
            assertFalse(hb.getFenced());
            CreateTopicResponse created = stub.createTopic(CreateTopicRequest.newBuilder()
                    .setName("orders")
                    .setPartitionCount(3)
                    .setReplicationFactor(1)
                    .build());
            assertEquals(
                    ErrorCode.NONE,
                    created.getError().getCode(),
                    created.getError().getMessage());
            DescribeClusterResponse d = stub.describeCluster(DescribeClusterRequest.getDefaultInstance());
            assertEquals(1, d.getControllerLeaderId());
            assertEquals(3, d.getPartitionsCount());
            assertEquals(7, d.getPartitions(0).getLeader());
            assertEquals(9092, d.getBrokers(0).getEndpoints(0).getPort());
        }
    }

    @Test
    void anIdleActiveControllerAppendsEntriesEveryNodeAppliesWithoutANewMetadataVersion() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(3, c -> c.withMetadataMaxIdleIntervalMs(200))) {
            cluster.awaitActive();
            // The cluster id is the one record of a new cluster: once every node has applied it, nothing changes.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> List.of(1, 2, 3).stream()
                            .allMatch(id -> cluster.node(id).metadataVersion() == 1));
            Map<Integer, Long> before = new TreeMap<>();
            for (int id = 1; id <= 3; id++) {
                before.put(id, cluster.node(id).raftAppliedIndex());
            }
            await("every node applies idle entries")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> before.entrySet().stream()
                            .allMatch(e -> cluster.node(e.getKey()).raftAppliedIndex() >= e.getValue() + 5));
            for (int id = 1; id <= 3; id++) {
                assertEquals(1, cluster.node(id).metadataVersion(), "node " + id + " was not woken by them");
            }
        }
    }

    @Test
    void aMetadataFetchWithNothingNewIsHeldUntilAChangeIsApplied() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(1, c -> c)) {
            cluster.awaitActive();
            var stub = cluster.stub(1);
            // The new cluster's first record, its id, is applied before "nothing new" can be asked about.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !stub.describeCluster(DescribeClusterRequest.getDefaultInstance())
                            .getClusterId()
                            .isEmpty());
            long version = stub.fetchMetadata(FetchMetadataRequest.getDefaultInstance())
                    .getMetadataVersion();
            FetchMetadataResponse now = stub.fetchMetadata(
                    FetchMetadataRequest.newBuilder().setSinceVersion(version).build());
            assertEquals(version, now.getMetadataVersion(), "max_wait_ms 0 answers at once, with nothing new");

            CompletableFuture<FetchMetadataResponse> held =
                    CompletableFuture.supplyAsync(() -> stub.fetchMetadata(FetchMetadataRequest.newBuilder()
                            .setSinceVersion(version)
                            .setMaxWaitMs(10_000)
                            .build()));
            // Nothing new: the call stays held.
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !held.isDone());
            stub.registerBroker(RegisterBrokerRequest.newBuilder()
                    .setBrokerId(7)
                    .setIncarnationId("a")
                    .build());
            // Answered by the change, well before its 10 s wait would end.
            FetchMetadataResponse answer = held.get(5, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, answer.getError().getCode());
            assertTrue(answer.getMetadataVersion() > version);
            assertTrue(answer.getRecordsCount() > 0, answer.toString());
        }
    }

    @Test
    void aMetadataFetchAskingToBeHeldTooLongIsRefused() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(1, c -> c)) {
            cluster.awaitActive();
            for (int wait : new int[] {-1, Integer.MIN_VALUE, 10_001, Integer.MAX_VALUE}) {
                FetchMetadataResponse refused = cluster.stub(1)
                        .fetchMetadata(FetchMetadataRequest.newBuilder()
                                .setMaxWaitMs(wait)
                                .build());
                assertEquals(ErrorCode.INVALID_REQUEST, refused.getError().getCode());
                assertEquals(
                        "max_wait_ms must be 0..10000, was " + wait,
                        refused.getError().getMessage());
            }
        }
    }

    @Test
    void publishesControllerMetricsAndRemovesThemOnClose() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Map<Integer, String> voters = Map.of(4, "127.0.0.1:" + LoopbackPorts.freePort());
        try (ControllerNode node = ControllerNode.start(
                ControllerConfig.of(4, voters, dir),
                Optional.empty(),
                registry,
                InstantSource.system(),
                ControllerCluster.DEFAULT_UNCAUGHT)) {
            await().atMost(ControllerCluster.AWAIT).until(node::isActive);
            assertEquals(1.0, registry.get("ferry.controller.active").gauge().value());
            assertEquals(
                    4.0, registry.get("ferry.controller.raft.leader").gauge().value());
            assertTrue(registry.get("ferry.controller.raft.term").gauge().value() >= 1);
            assertEquals(
                    0.0,
                    registry.get("ferry.controller.offline.partitions").gauge().value());
            assertEquals(
                    0.0,
                    registry.get("ferry.controller.leader.elections").counter().count());
        }
        assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
    }

    @Test
    void aSecondNodeOnTheSameDirectoryFailsWithAClearError() throws Exception {
        Map<Integer, String> voters = Map.of(1, "127.0.0.1:" + LoopbackPorts.freePort());
        try (ControllerNode node = ControllerNode.start(
                ControllerConfig.of(1, voters, dir),
                Optional.empty(),
                new SimpleMeterRegistry(),
                InstantSource.system(),
                ControllerCluster.DEFAULT_UNCAUGHT)) {
            Map<Integer, String> other = Map.of(1, "127.0.0.1:" + LoopbackPorts.freePort());
            IOException e = assertThrows(
                    IOException.class,
                    () -> ControllerNode.start(
                            ControllerConfig.of(1, other, dir),
                            Optional.empty(),
                            new SimpleMeterRegistry(),
                            InstantSource.system(),
                            ControllerCluster.DEFAULT_UNCAUGHT));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(node.leaderId() == -1 || node.leaderId() == 1);
        }
    }

    @Test
    void configRefusesNonsense() {
        Path d = Path.of("unused");
        assertThrows(IllegalArgumentException.class, () -> ControllerConfig.of(2, Map.of(1, "h:1"), d));
        assertThrows(IllegalArgumentException.class, () -> ControllerConfig.of(1, Map.of(1, "no-port"), d));
        assertThrows(IllegalArgumentException.class, () -> ControllerConfig.of(1, Map.of(1, "h:70000"), d));
        assertThrows(
                IllegalArgumentException.class,
                () -> ControllerConfig.of(1, Map.of(1, "h:1"), d).withElectionTimeoutMs(600, 300));
        assertThrows(
                IllegalArgumentException.class,
                () -> ControllerConfig.of(1, Map.of(1, "h:1"), d).withBrokerSessionTimeoutMs(0));
        ControllerConfig ok = ControllerConfig.of(1, Map.of(1, "10.0.0.1:9093"), d);
        assertEquals("10.0.0.1", ok.raftHost());
        assertEquals(9093, ok.raftPort());
        assertEquals(ControllerConfig.DEFAULT_BROKER_SESSION_TIMEOUT_MS, ok.brokerSessionTimeoutMs());
        assertFalse(ok.uncleanLeaderElectionEnable());
        assertTrue(ok.autoLeaderRebalanceEnable());
    }
}
