package io.ferry.controller;

import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.ControllerServiceGrpc.ControllerServiceBlockingStub;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * An in-process controller quorum for tests: real Ratis over loopback, each node's gRPC service on
 * an in-process gRPC server. Fault verbs: {@link #kill}, {@link #restart}.
 */
final class ControllerCluster implements AutoCloseable {
    static final Duration AWAIT = Duration.ofSeconds(30);
    /** What the JVM does with an uncaught exception (print it): a controller's fatal errors in these tests. */
    static final Thread.UncaughtExceptionHandler DEFAULT_UNCAUGHT =
            (thread, error) -> thread.getThreadGroup().uncaughtException(thread, error);

    private final Path root;
    private final Map<Integer, String> voters = new TreeMap<>();
    private final UnaryOperator<ControllerConfig> tune;
    private final Map<Integer, ControllerNode> nodes = new ConcurrentHashMap<>();
    private final Map<Integer, Server> servers = new ConcurrentHashMap<>();
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final String name = "ferry-controller-test-" + UUID.randomUUID();

    ControllerCluster(int size, UnaryOperator<ControllerConfig> tune) throws IOException {
        this.root = Files.createTempDirectory("ferry-controller-");
        this.tune = tune;
        for (int id = 1; id <= size; id++) {
            voters.put(id, "127.0.0.1:" + LoopbackPorts.freePort());
        }
        for (int id : voters.keySet()) {
            start(id);
        }
    }

    ControllerConfig config(int id) {
        return tune.apply(ControllerConfig.of(id, voters, dataDir(id))
                .withElectionTimeoutMs(
                        ControllerConfig.DEFAULT_ELECTION_TIMEOUT_MIN_MS,
                        ControllerConfig.DEFAULT_ELECTION_TIMEOUT_MAX_MS));
    }

    private void start(int id) throws IOException {
        ControllerNode node = ControllerNode.start(
                config(id), Optional.empty(), new SimpleMeterRegistry(), InstantSource.system(), DEFAULT_UNCAUGHT);
        nodes.put(id, node);
        String serverName = name + "-" + id;
        servers.put(
                id,
                InProcessServerBuilder.forName(serverName)
                        .directExecutor()
                        .addService(node.grpcService())
                        .build()
                        .start());
        channels.put(
                id, InProcessChannelBuilder.forName(serverName).directExecutor().build());
    }

    /** The node's metadata directory. */
    Path dataDir(int id) {
        return root.resolve("node-" + id);
    }

    /** Whether Ratis wrote a snapshot of the state machine in the node's directory. */
    boolean hasSnapshot(int id) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir(id))) {
            return files.anyMatch(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"));
        }
    }

    ControllerNode node(int id) {
        return nodes.get(id);
    }

    ControllerServiceBlockingStub stub(int id) {
        return ControllerServiceGrpc.newBlockingStub(channels.get(id)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /**
     * Makes a call until it is answered with something other than NOT_CONTROLLER or a transport failure, as a
     * broker's controller gateway does: a controller answers each attempt once, also while none is active.
     */
    static <R> R answered(Supplier<R> call, Function<R, ErrorCode> codeOf) {
        return Awaitility.await()
                .atMost(AWAIT)
                .ignoreExceptions()
                .until(call::get, r -> codeOf.apply(r) != ErrorCode.NOT_CONTROLLER);
    }

    /** Waits until one running node is the active controller and returns its id. */
    int awaitActive() {
        return Awaitility.await()
                .atMost(AWAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> nodes.values().stream()
                                .filter(ControllerNode::isActive)
                                .map(ControllerNode::nodeId)
                                .findFirst()
                                .orElse(-1),
                        id -> id >= 0);
    }

    /** A running node that is not the active controller. */
    int follower() {
        int active = awaitActive();
        return nodes.keySet().stream().filter(id -> id != active).findFirst().orElseThrow();
    }

    void kill(int id) {
        channels.remove(id).shutdownNow();
        servers.remove(id).shutdownNow();
        nodes.remove(id).close();
    }

    void restart(int id) {
        try {
            start(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every node, then starts each again from its own snapshot and log. */
    void restartEveryNode() {
        List<Integer> ids = nodes.keySet().stream().sorted().toList();
        ids.forEach(this::kill);
        ids.forEach(this::restart);
    }

    @Override
    public void close() throws IOException {
        for (int id : Map.copyOf(nodes).keySet()) {
            kill(id);
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
