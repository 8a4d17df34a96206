package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node started with {@code bin/ferry-node} as a user would, its output in a log file. HTTP on a
 * port the node picks (read back from its start-up line). Close stops it with SIGTERM, then SIGKILL.
 */
final class NodeProcess implements AutoCloseable {

    private static final Pattern STARTED =
            Pattern.compile("started: .* gRPC on 127\\.0\\.0\\.1:(\\d+), HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int grpcPort;
    private final int httpPort;

    private NodeProcess(Process process, Path log, int grpcPort, int httpPort) {
        this.process = process;
        this.log = log;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
    }

    /** Starts a single-voter controller whose data and log live in {@code dir}; returns once /health is 200. */
    static NodeProcess startController(Path dir) throws IOException {
        return start(dir, "controller", "1@127.0.0.1:" + LoopbackPorts.freePort(), true);
    }

    /**
     * Starts a combined node ({@code process.roles=broker,controller}, a single-voter quorum) whose data
     * and log live in {@code dir}; returns once /health is 200. Its broker registers with the controller
     * a moment later, so the first admin calls may still be refused.
     */
    static NodeProcess startBrokerController(Path dir) throws IOException {
        return start(dir, "broker,controller", "1@127.0.0.1:" + LoopbackPorts.freePort(), true);
    }

    /**
     * Starts controller 1 of a two-voter quorum whose other voter never runs: it serves HTTP but stays
     * unhealthy (no quorum leader). Returns once it has started.
     */
    static NodeProcess startControllerWithoutQuorum(Path dir) throws IOException {
        return start(
                dir,
                "controller",
                "1@127.0.0.1:" + LoopbackPorts.freePort() + ",2@127.0.0.1:" + LoopbackPorts.freePort(),
                false);
    }

    private static NodeProcess start(Path dir, String roles, String voters, boolean awaitHealthy) throws IOException {
        Path log = dir.resolve("node.log");
        List<String> command =
                new ArrayList<>(List.of(Repo.ROOT.resolve("bin/ferry-node").toString()));
        for (String setting : List.of(
                "node.id=1",
                "process.roles=" + roles,
                "controller.quorum.voters=" + voters,
                "grpc.listener=127.0.0.1:0",
                "http.listener=127.0.0.1:0",
                "log.dirs=" + dir.resolve("data"))) {
            command.add("--override");
            command.add(setting);
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
        pb.environment().put("FERRY_HEAP_OPTS", "-Xms64m -Xmx256m");
        NodeProcess node = null;
        Process process = pb.start();
        try {
            int[] ports = await("the node's start-up line in " + log)
                    .atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ports(process, log), Optional::isPresent)
                    .orElseThrow();
            node = new NodeProcess(process, log, ports[0], ports[1]);
            NodeProcess started = node;
            if (awaitHealthy) {
                await("/health 200")
                        .atMost(START_TIMEOUT)
                        .until(() -> started.get("/health").statusCode() == 200);
            }
            return node;
        } finally {
            if (node == null || !node.process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** The gRPC and HTTP ports from the node's start-up line, once it is in the log. */
    private static Optional<int[]> ports(Process process, Path log) throws IOException {
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!process.isAlive()) {
            throw new IllegalStateException("the node exited with " + process.exitValue() + ":\n" + output);
        }
        Matcher m = STARTED.matcher(output);
        return m.find()
                ? Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                : Optional.empty();
    }

    /** The {@code host:port} clients bootstrap from. */
    String bootstrap() {
        return "127.0.0.1:" + grpcPort;
    }

    int httpPort() {
        return httpPort;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM (the node's orderly stop), SIGKILL if it is still running after the timeout. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "node (log " + log + ")";
    }
}
