package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link ProcessCluster}: {@code java -jar ferry-node.jar --config node.properties} in its
 * own folder, with fixed ports so that it restarts with the same addresses, configuration and data.
 * Its output is appended to {@code node.log} across restarts.
 *
 * <p>Not thread-safe: the test thread drives it.
 */
final class ClusterNode {

    /** What the node runs ({@code process.roles}). */
    enum Role {
        CONTROLLER("controller"),
        BROKER("broker");

        final String configName;

        Role(String configName) {
            this.configName = configName;
        }
    }

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private final int id;
    private final Role role;
    private final Path dir;
    private final int grpcPort;
    private final int httpPort;
    private Process process;

    /**
     * Writes the node's configuration into {@code dir}; {@link #start} runs it.
     *
     * @param settings {@code key=value} lines besides the node's identity, ports and log.dirs
     */
    ClusterNode(int id, Role role, Path dir, int grpcPort, int httpPort, List<String> settings) throws IOException {
        this.id = id;
        this.role = role;
        this.dir = dir;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
        Files.createDirectories(dir.resolve("data"));
        StringBuilder config = new StringBuilder();
        config.append("node.id=")
                .append(id)
                .append('\n')
                .append("process.roles=")
                .append(role.configName)
                .append('\n')
                .append("grpc.listener=127.0.0.1:")
                .append(grpcPort)
                .append('\n')
                .append("http.listener=127.0.0.1:")
                .append(httpPort)
                .append('\n')
                .append("log.dirs=")
                .append(dataDir())
                .append('\n');
        settings.forEach(s -> config.append(s).append('\n'));
        Files.writeString(dir.resolve("node.properties"), config.toString(), StandardCharsets.UTF_8);
    }

    int id() {
        return id;
    }

    Role role() {
        return role;
    }

    /** The node's {@code log.dirs}: one folder per hosted partition, named {@code topic-partition}. */
    Path dataDir() {
        return dir.resolve("data");
    }

    Path log() {
        return dir.resolve("node.log");
    }

    /** {@code 127.0.0.1:port} of the node's gRPC listener. */
    String address() {
        return "127.0.0.1:" + grpcPort;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM (the node must be down) without waiting for it to be healthy. */
    void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException(this + " is already running");
        }
        ProcessBuilder pb = new ProcessBuilder(
                        JAVA,
                        "-Xms64m",
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-jar",
                        Repo.NODE_JAR.toString(),
                        "--config",
                        dir.resolve("node.properties").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
        process = pb.start();
    }

    /** Waits until {@code /health} answers 200; fails naming the log if the node exits meanwhile. */
    void awaitHealthy(Duration timeout) {
        await(this + " /health 200")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!isRunning()) {
                        throw new AssertionError(this + " exited while starting; log " + log() + ":\n" + tail());
                    }
                    return healthStatus() == 200;
                });
    }

    /** The HTTP status of {@code /health}, or -1 when nothing answers. */
    int healthStatus() {
        try {
            return get("/health").statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code kill -9} of the node's JVM (its pid), then waits until the process is gone. */
    void kill() throws InterruptedException {
        requireRunning();
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + " (pid " + process.pid() + ") survived SIGKILL for " + STOP_TIMEOUT);
        }
    }

    /**
     * SIGTERM (the node's orderly shutdown) and waits for the exit.
     *
     * @throws AssertionError if it had to be killed after the timeout: a clean stop is part of the contract
     */
    void stop() throws InterruptedException {
        requireRunning();
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(this + " did not stop within " + STOP_TIMEOUT + " of SIGTERM; log " + log());
        }
    }

    /** Stops whatever still runs, for clean-up: SIGTERM, then SIGKILL after the timeout. Never throws. */
    void destroy() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException(this + " is not running");
        }
    }

    /** The end of the node's log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return role.configName + " " + id + " (" + address() + ")";
    }
}
