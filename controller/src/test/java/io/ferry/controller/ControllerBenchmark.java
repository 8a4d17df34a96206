package io.ferry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.util.concurrent.ListenableFuture;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RegisterBrokerRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Not a test: measures controller failover time (leader closed, as in a crash, and planned hand-off)
 * and metadata command throughput on a 3-node quorum
 * with default settings (election timeout {@value ControllerConfig#DEFAULT_ELECTION_TIMEOUT_MIN_MS}–
 * {@value ControllerConfig#DEFAULT_ELECTION_TIMEOUT_MAX_MS} ms). Excluded from the normal build; run:
 *
 * <pre>
 * ./mvnw -q -B test -pl controller -am -Dferry.excludedGroups=none -Dgroups=benchmark \
 *     -Dtest=ControllerBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Figures go to {@code controller/target/controller-benchmark.txt} (and the test's stdout).
 */
@Tag("benchmark")
class ControllerBenchmark {
    private static final int FAILOVER_ROUNDS = 7;
    private static final int WARMUP_COMMANDS = 2_000;
    private static final int COMMANDS = 20_000;
    /** Concurrent create-topic requests, as many brokers and clients would send. */
    private static final int[] IN_FLIGHT = {32, 128, 512};

    private final List<String> report = new ArrayList<>();

    private void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.add(line);
    }

    @Test
    void failoverAndThroughput() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(3, c -> c);
                Heartbeats heartbeats = new Heartbeats(cluster, List.of(1, 2, 3), 1_000)) {
            int active = cluster.awaitActive();
            for (int b = 1; b <= 3; b++) {
                assertEquals(
                        ErrorCode.NONE,
                        cluster.stub(active)
                                .registerBroker(RegisterBrokerRequest.newBuilder()
                                        .setBrokerId(b)
                                        .setIncarnationId("b" + b)
                                        .build())
                                .getError()
                                .getCode());
                heartbeats.add(b, "b" + b);
            }
            org.awaitility.Awaitility.await()
                    .atMost(ControllerCluster.AWAIT)
                    .until(() -> cluster
                                    .stub(active)
                                    .describeCluster(io.ferry.proto.v1.DescribeClusterRequest.getDefaultInstance())
                                    .getBrokersList()
                                    .stream()
                                    .filter(b -> !b.getFenced())
                                    .count()
                            == 3);
            print("cpus=%d java=%s", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            throughput(cluster, "warmup", WARMUP_COMMANDS, 128);
            failover(cluster); // with the warm-up's topics: metadata of a modest cluster
            handOff(cluster);
            for (int inFlight : IN_FLIGHT) {
                throughput(cluster, "measured-" + inFlight, COMMANDS, inFlight);
            }
        }
        Files.write(Path.of("target", "controller-benchmark.txt"), report);
    }

    /** Creates topics (1 partition, RF 3; one controller command each) with {@code inFlight} requests in flight. */
    private void throughput(ControllerCluster cluster, String label, int commands, int inFlight) throws Exception {
        int active = cluster.awaitActive();
        var stub = ControllerServiceGrpc.newFutureStub(channelOf(cluster, active));
        Semaphore window = new Semaphore(inFlight);
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < commands; i++) {
            window.acquire();
            ListenableFuture<CreateTopicResponse> f = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .createTopic(CreateTopicRequest.newBuilder()
                            .setName(label + "-" + i)
                            .setPartitionCount(1)
                            .setReplicationFactor(3)
                            .build());
            f.addListener(
                    () -> {
                        try {
                            CreateTopicResponse r = f.get();
                            if (r.getError().getCode() != ErrorCode.NONE) {
                                failures.incrementAndGet();
                                firstFailure.compareAndSet(null, r.getError().toString());
                            }
                        } catch (InterruptedException | ExecutionException e) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        } finally {
                            window.release();
                        }
                    },
                    Runnable::run);
        }
        window.acquire(inFlight);
        double seconds = (System.nanoTime() - start) / 1e9;
        print(
                "throughput[%s]: %d create-topic commands in %.2f s = %.0f commands/s (in flight %d, failures %d%s)",
                label,
                commands,
                seconds,
                commands / seconds,
                inFlight,
                failures.get(),
                firstFailure.get() == null ? "" : ", first: " + firstFailure.get());
    }

    private static io.grpc.Channel channelOf(ControllerCluster cluster, int node) {
        return cluster.stub(node).getChannel();
    }

    /**
     * Closes the active controller on another thread and measures, from the start of the close, when
     * another node is active and when it answered a broker heartbeat.
     */
    private void failover(ControllerCluster cluster) throws Exception {
        List<Long> activeMs = new ArrayList<>();
        List<Long> servingMs = new ArrayList<>();
        for (int round = 0; round < FAILOVER_ROUNDS; round++) {
            int old = cluster.awaitActive();
            long start = System.nanoTime();
            Thread killer = new Thread(() -> cluster.kill(old));
            killer.start();
            int next = awaitOtherActive(cluster, old, start);
            long active = (System.nanoTime() - start) / 1_000_000;
            var hb = cluster.stub(next)
                    .brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                            .setBrokerId(1)
                            .setIncarnationId("b1")
                            .build());
            long serving = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ErrorCode.NONE, hb.getError().getCode(), hb.getError().getMessage());
            activeMs.add(active);
            servingMs.add(serving);
            print(
                    "failover round %d: node %d killed, node %d active after %d ms, serving after %d ms",
                    round, old, next, active, serving);
            killer.join();
            cluster.restart(old);
            long version = cluster.node(next).metadataVersion();
            org.awaitility.Awaitility.await()
                    .atMost(ControllerCluster.AWAIT)
                    .until(() -> cluster.node(old).metadataVersion() >= version);
        }
        print(
                "failover active  ms: median %d, min %d, max %d (n=%d)",
                median(activeMs), Collections.min(activeMs), Collections.max(activeMs), activeMs.size());
        print(
                "failover serving ms: median %d, min %d, max %d (n=%d)",
                median(servingMs), Collections.min(servingMs), Collections.max(servingMs), servingMs.size());
    }

    /** A planned stop: the leader hands leadership off before closing. */
    private void handOff(ControllerCluster cluster) throws Exception {
        List<Long> servingMs = new ArrayList<>();
        for (int round = 0; round < FAILOVER_ROUNDS; round++) {
            int old = cluster.awaitActive();
            long start = System.nanoTime();
            boolean moved = cluster.node(old).handOffLeadership();
            int next = awaitOtherActive(cluster, old, start);
            var hb = cluster.stub(next)
                    .brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                            .setBrokerId(1)
                            .setIncarnationId("b1")
                            .build());
            long serving = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ErrorCode.NONE, hb.getError().getCode(), hb.getError().getMessage());
            servingMs.add(serving);
            print(
                    "hand-off round %d: node %d -> node %d serving after %d ms (transfer acknowledged: %s)",
                    round, old, next, serving, moved);
        }
        print(
                "hand-off serving ms: median %d, min %d, max %d (n=%d)",
                median(servingMs), Collections.min(servingMs), Collections.max(servingMs), servingMs.size());
    }

    private static int awaitOtherActive(ControllerCluster cluster, int old, long startNanos) throws IOException {
        while (System.nanoTime() - startNanos < TimeUnit.SECONDS.toNanos(30)) {
            for (int id = 1; id <= 3; id++) {
                ControllerNode n = id == old ? null : cluster.node(id);
                if (n != null && n.isActive()) {
                    return id;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        throw new IOException("no new active controller within 30 s");
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
