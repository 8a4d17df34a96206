package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.BrokerRole;
import io.ferry.node.internal.ControllerRole;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} and gRPC health of real in-process nodes turn NOT_SERVING, naming why, when the node
 * cannot do its job: its metadata application is held up, a log directory failed, its controller quorum
 * has no majority.
 */
class NodeHealthTest {

    private static final long MAX_STALENESS_MILLIS = 2_000;

    @TempDir
    Path dir;

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        assertEquals(List.of(), fatalErrors.recorded());
    }

    private NodeConfig combinedNode() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("broker.metadata.max.staleness.ms=" + MAX_STALENESS_MILLIS);
        return NodeConfig.load(Optional.empty(), Map.of(), settings);
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private ManagedChannel channel(FerryNode node) {
        ManagedChannel channel = BrokerTestSupport.channel(node);
        toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return channel;
    }

    private static ServingStatus grpcHealth(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("").build())
                .getStatus();
    }

    private static HttpResponse<String> health(FerryNode node) throws Exception {
        return NodeHttp.get(node.httpAddress(), "/health");
    }

    @Test
    void aBrokerWhoseMetadataApplicationIsHeldUpTurnsNotServingUntilItCatchesUp() throws Exception {
        CountDownLatch holdUp = new CountDownLatch(1);
        FerryNode node = closing(FerryNode.start(
                combinedNode(),
                (role, config, registry, threads) -> switch (role) {
                    case CONTROLLER -> new ControllerRole(config, registry, InstantSource.system(), threads);
                    case BROKER ->
                        new BrokerRole(config, registry, InstantSource.system(), threads, apply -> view -> {
                            if (view.topics().containsKey("held-up")) {
                                try {
                                    holdUp.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            apply.accept(view);
                        });
                },
                fatalErrors));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        ManagedChannel channel = channel(node);

        assertEquals(
                ErrorCode.NONE,
                BrokerTestSupport.stub(channel)
                        .createTopic(CreateTopicRequest.newBuilder()
                                .setName("held-up")
                                .setPartitionCount(1)
                                .setReplicationFactor(1)
                                .build())
                        .getError()
                        .getCode());
        await().atMost(Duration.ofSeconds(30)).until(() -> health(node).statusCode() == 503);
        String body = health(node).body();
        assertTrue(body.contains("\"controller\":{\"status\":\"UP\"}"), body);
        assertTrue(
                body.contains("\"broker\":{\"status\":\"DOWN\",\"reason\":\"the metadata view has not been current"
                        + " for "),
                body);
        assertTrue(body.contains("broker.metadata.max.staleness.ms=" + MAX_STALENESS_MILLIS), body);
        await().atMost(Duration.ofSeconds(10)).until(() -> grpcHealth(channel) == ServingStatus.NOT_SERVING);

        holdUp.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> health(node).statusCode() == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> grpcHealth(channel) == ServingStatus.SERVING);
    }

    @Test
    void aFailedLogDirectoryTurnsTheBrokerNotServing() throws Exception {
        FerryNode node = closing(FerryNode.start(combinedNode(), fatalErrors));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        ManagedChannel channel = channel(node);
        // Every append after the first rolls a new segment: a file the failed directory cannot create.
        BrokerTestSupport.createTopic(channel, "t", 1, Map.of("segment.ms", "1"));
        assertEquals(
                ErrorCode.NONE,
                BrokerTestSupport.produce(channel, Acks.ACKS_LEADER, "t", 0, BrokerTestSupport.batch("a", 1))
                        .getError()
                        .getCode());

        Path logDir = dir.resolve("logs");
        deleteRecursively(logDir.resolve("t-0"));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        BrokerTestSupport.produce(channel, Acks.ACKS_LEADER, "t", 0, BrokerTestSupport.batch("b", 1))
                                        .getError()
                                        .getCode()
                                == ErrorCode.STORAGE_ERROR);

        HttpResponse<String> health = health(node);
        assertEquals(503, health.statusCode(), health.body());
        assertTrue(
                health.body()
                        .contains("\"broker\":{\"status\":\"DOWN\",\"reason\":\"log directory "
                                + logDir.toAbsolutePath().normalize() + " failed: "),
                health.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> grpcHealth(channel) == ServingStatus.NOT_SERVING);
    }

    @Test
    void aControllerOnlyNodeIsNotServingWithoutAQuorumAndSaysWhy() throws Exception {
        int raft1 = LoopbackPorts.freePort();
        int raft2 = LoopbackPorts.freePort();
        String voters = "1@127.0.0.1:" + raft1 + ",2@127.0.0.1:" + raft2;
        FerryNode first = closing(FerryNode.start(controller(1, voters), fatalErrors));
        HttpResponse<String> alone = health(first);
        assertEquals(503, alone.statusCode());
        assertTrue(
                alone.body()
                        .endsWith(
                                "\"roles\":{\"controller\":{\"status\":\"DOWN\",\"reason\":\"no quorum leader"
                                        + " is known: a majority of controller.quorum.voters [1, 2] must be running and reach each other\"}}}\n"),
                alone.body());

        FerryNode second = closing(FerryNode.start(controller(2, voters), fatalErrors));
        await().atMost(Duration.ofSeconds(30)).until(() -> first.isHealthy() && second.isHealthy());
        assertEquals(200, health(first).statusCode());
    }

    private NodeConfig controller(int id, String voters) throws Exception {
        return NodeConfig.load(
                Optional.empty(),
                Map.of(),
                List.of(
                        "node.id=" + id,
                        "process.roles=controller",
                        "controller.quorum.voters=" + voters,
                        "controller.quorum.election.timeout.ms=300",
                        "metadata.log.dir=" + dir.resolve("controller-" + id),
                        "grpc.listener=127.0.0.1:0",
                        "http.listener=127.0.0.1:0"));
    }

    private static void deleteRecursively(Path path) throws Exception {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
