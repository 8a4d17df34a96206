package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as a real separate JVM: SIGTERM stops it gracefully. */
class NodeProcessTest {

    /** 128 + SIGTERM(15): how a JVM exits after its shutdown hooks ran for a SIGTERM. */
    private static final int EXIT_AFTER_SIGTERM = 143;

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

    static Process startJava(Path log, String mainClass, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
        return builder.start();
    }

    static String read(Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void sigtermStopsTheNodeGracefully() throws Exception {
        Path log = dir.resolve("node.log");
        process = startJava(log, TestNodeMain.class.getName(), List.of(
                "--override", "node.id=7", "--override", "process.roles=controller,broker",
                "--override", "controller.quorum.voters=7@127.0.0.1:1",
                "--override", "grpc.listener=127.0.0.1:0", "--override", "http.listener=127.0.0.1:0"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> read(log).contains("Ferry node 7 started") || !process.isAlive());
        assertTrue(process.isAlive(), read(log));

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM:\n" + read(log));
        String output = read(log);
        assertEquals(EXIT_AFTER_SIGTERM, process.exitValue(), output);
        int brokerClosed = output.indexOf("Closed the broker role");
        int controllerClosed = output.indexOf("Closed the controller role");
        assertTrue(brokerClosed > 0 && controllerClosed > brokerClosed, output);
        assertTrue(output.indexOf("Ferry node 7 stopped") > controllerClosed, output);
    }
}
