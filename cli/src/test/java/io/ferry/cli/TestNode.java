package io.ferry.cli;

import static org.awaitility.Awaitility.await;

import io.ferry.cli.CliRunner.Result;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.testsupport.LoopbackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One broker,controller node in this JVM (loopback, ephemeral gRPC and HTTP ports, logs under a given
 * directory) that can be stopped and started again on the same directories, and the {@code ferry}
 * command run against it. Not thread-safe: a test class drives it from its test thread.
 */
final class TestNode implements AutoCloseable {

    private final List<String> config;
    private final Path logDir;
    private FerryNode node;
    private String bootstrap;

    private TestNode(Path dir, List<String> more) throws Exception {
        int raftPort = LoopbackPorts.freePort();
        this.logDir = dir.resolve("logs");
        this.config = new ArrayList<>(List.of(
                "node.id=1",
                "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:" + raftPort,
                "controller.quorum.election.timeout.ms=300",
                "log.dirs=" + logDir,
                "grpc.listener=127.0.0.1:0",
                "http.listener=127.0.0.1:0",
                "broker.heartbeat.interval.ms=500"));
        this.config.addAll(more);
    }

    /** A started node keeping its logs under {@code dir}/logs. */
    static TestNode start(Path dir) throws Exception {
        return start(dir, List.of());
    }

    /** A started node with {@code more} settings ({@code key=value}) besides its own. */
    static TestNode start(Path dir, List<String> more) throws Exception {
        TestNode node = new TestNode(dir, more);
        node.start();
        return node;
    }

    /** Starts the node (again) on its directories and waits until it is healthy. */
    void start() throws Exception {
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), config));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        bootstrap = "127.0.0.1:" + node.grpcAddress().getPort();
    }

    /** The {@code log.dirs} directory. */
    Path logDir() {
        return logDir;
    }

    /** host:port of the running node's gRPC listener, which changes with each start. */
    String bootstrap() {
        return bootstrap;
    }

    /** Runs {@code ferry args --bootstrap <this node>} with real time and the given standard input. */
    Result ferry(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap");
        all.add(bootstrap);
        return new CliRunner().realTime().stdin(stdin).run(all.toArray(String[]::new));
    }

    /** Stops the node cleanly; {@link #start()} brings it back. */
    @Override
    public void close() {
        if (node != null) {
            node.close();
            node = null;
        }
    }
}
