package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as a real separate JVM ({@link FerryNode#main}, controller role): SIGTERM stops it gracefully. */
class NodeProcessTest {

    /** 128 + SIGTERM(15): how a JVM exits after its shutdown hooks ran for a SIGTERM. */
    private static final int EXIT_AFTER_SIGTERM = 143;

    private static final Pattern GRPC_PORT = Pattern.compile("gRPC on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void killLeftover() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Process startJava(Path log, String mainClass, Map<String, String> env, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(
                java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    static String read(Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void sigtermStopsTheNodeGracefully() throws Exception {
        Path log = dir.resolve("node.log");
        // All three sources: node.id from the environment, the file, and a flag overriding the file.
        List<String> settings = ControllerRoleTest.singleController(7, LoopbackPorts.freePort(), dir.resolve("meta"));
        Path file = dir.resolve("node.properties");
        Files.write(
                file, settings.stream().filter(s -> !s.startsWith("node.id=")).toList(), StandardCharsets.UTF_8);
        Files.writeString(file, "num.partitions=2\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        process = startJava(
                log,
                FerryNode.class.getName(),
                Map.of("FERRY_NODE_ID", "7"),
                List.of("--config", file.toString(), "--override", "num.partitions=3"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> read(log).contains("Ferry node 7 started") || !process.isAlive());
        assertTrue(process.isAlive(), read(log));
        assertTrue(read(log).contains("node.id=7 (environment variable FERRY_NODE_ID)"), read(log));
        assertTrue(read(log).contains("num.partitions=3 (flag --override num.partitions=3)"), read(log));

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM:\n" + read(log));
        String output = read(log);
        assertEquals(EXIT_AFTER_SIGTERM, process.exitValue(), output);
        int stopping = output.indexOf("Stopping Ferry node 7");
        int controllerClosed = output.indexOf("Closed the controller role");
        assertTrue(stopping > 0 && controllerClosed > stopping, output);
        assertTrue(output.indexOf("Ferry node 7 stopped") > controllerClosed, output);
    }

    @Test
    void anErrorOnARequestThreadHaltsTheProcessWithStatus3() throws Exception {
        Path log = dir.resolve("request-error.log");
        process = startJava(
                log,
                FatalErrorNodes.OnARequestThread.class.getName(),
                Map.of(),
                overrides(List.of(
                        "node.id=1",
                        "process.roles=controller",
                        "controller.quorum.voters=1@127.0.0.1:1",
                        "grpc.listener=127.0.0.1:0",
                        "http.listener=127.0.0.1:0")));
        ManagedChannel channel = channelOnceStarted(log);
        try {
            assertThrows(
                    StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(
                            channel,
                            TestRole.ECHO,
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                            TestRole.THROW_AN_ERROR));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertHaltedWithStatus3(log, "ferry-grpc-");
    }

    @Test
    void anErrorOnTheMetadataThreadHaltsTheProcessWithStatus3() throws Exception {
        Path log = dir.resolve("metadata-error.log");
        process = startJava(
                log,
                FatalErrorNodes.OnTheMetadataThread.class.getName(),
                Map.of(),
                overrides(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs"))));
        ManagedChannel channel = channelOnceStarted(log);
        try {
            // Registered with its controller and holding metadata: the topic will reach the metadata thread.
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> read(log).contains("Ferry node 1 is healthy") || !process.isAlive());
            ErrorCode created = BrokerTestSupport.stub(channel)
                    .createTopic(CreateTopicRequest.newBuilder()
                            .setName(FatalErrorNodes.POISON_TOPIC)
                            .setPartitionCount(1)
                            .setReplicationFactor(1)
                            .build())
                    .getError()
                    .getCode();
            assertEquals(ErrorCode.NONE, created, read(log));
        } catch (StatusRuntimeException e) {
            // The node halted before it answered.
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertHaltedWithStatus3(log, "ferry-broker-metadata");
    }

    private static List<String> overrides(List<String> settings) {
        return settings.stream()
                .flatMap(s -> java.util.stream.Stream.of("--override", s))
                .toList();
    }

    /** A channel to the node's gRPC port, once the node has logged that it started. */
    private ManagedChannel channelOnceStarted(Path log) throws Exception {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> read(log).contains("Ferry node 1 started") || !process.isAlive());
        assertTrue(process.isAlive(), read(log));
        Matcher grpc = GRPC_PORT.matcher(read(log));
        assertTrue(grpc.find(), read(log));
        return NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(1)))
                .usePlaintext()
                .build();
    }

    /** Halted, not exited: the shutdown hook's graceful stop never ran. */
    private void assertHaltedWithStatus3(Path log, String threadNamePrefix) throws Exception {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after the Error:\n" + read(log));
        String output = read(log);
        assertEquals(3, process.exitValue(), "the status docs/operations.md documents:\n" + output);
        assertTrue(output.contains("Fatal error on thread " + threadNamePrefix), output);
        assertFalse(output.contains("Stopping Ferry node 1"), output);
    }

    @Test
    void anInvalidConfigurationExitsWithStatus2NamingTheKeyAndSource() throws Exception {
        Path log = dir.resolve("bad.log");
        process = startJava(log, FerryNode.class.getName(), Map.of(), List.of("--override", "node.id=seven"));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), read(log));
        String output = read(log);
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("node.id (flag --override node.id=seven): expected an integer"), output);
    }

    @Test
    void aBrokerControllerProcessServesProduceAndFetchAndStopsOnSigterm() throws Exception {
        Path log = dir.resolve("broker.log");
        List<String> settings = BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs"));
        process = startJava(
                log,
                FerryNode.class.getName(),
                Map.of(),
                settings.stream()
                        .flatMap(s -> java.util.stream.Stream.of("--override", s))
                        .toList());
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> read(log).contains("Ferry node 1 started") || !process.isAlive());
        assertTrue(process.isAlive(), read(log));
        java.util.regex.Matcher grpc = java.util.regex.Pattern.compile("gRPC on 127\\.0\\.0\\.1:(\\d+)")
                .matcher(read(log));
        assertTrue(grpc.find(), read(log));
        java.util.regex.Matcher http = java.util.regex.Pattern.compile("HTTP on 127\\.0\\.0\\.1:(\\d+)")
                .matcher(read(log));
        assertTrue(http.find(), read(log));
        java.net.InetSocketAddress httpAddress =
                new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(http.group(1)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> NodeHttp.get(httpAddress, "/health").statusCode() == 200);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(1)))
                .usePlaintext()
                .build();
        try {
            BrokerTestSupport.createTopic(channel, "events", 1, Map.of());
            PartitionProduceResult acked =
                    BrokerTestSupport.produce(channel, Acks.ACKS_ALL, "events", 0, BrokerTestSupport.batch("e", 3));
            assertEquals(
                    ErrorCode.NONE, acked.getError().getCode(), acked.getError().getMessage());
            assertEquals(List.of("0:e0", "1:e1", "2:e2"), BrokerTestSupport.readAll(channel, "events", 0, 0));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM:\n" + read(log));
        String output = read(log);
        assertEquals(EXIT_AFTER_SIGTERM, process.exitValue(), output);
        int handedOff = output.indexOf("Controlled shutdown of broker 1 done");
        int brokerClosed = output.indexOf("Closed the broker role");
        int controllerClosed = output.indexOf("Closed the controller role");
        assertTrue(handedOff > 0 && brokerClosed > handedOff && controllerClosed > brokerClosed, output);
    }
}
