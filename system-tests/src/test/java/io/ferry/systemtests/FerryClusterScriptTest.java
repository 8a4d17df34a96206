package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bin/ferry-cluster driven exactly as a user would, checking the output a user reads. Each test has
 * its own cluster folder under target/ and a free port range; whatever a test leaves running is
 * stopped afterwards.
 */
class FerryClusterScriptTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private Path clusterDir;
    private Map<String, String> env;

    @BeforeEach
    void newCluster() {
        Repo.requireNodeJar();
        Repo.requireTool("curl", "Debian: apt-get install curl");
        clusterDir = Path.of("target", "ferry-cluster-" + UUID.randomUUID()).toAbsolutePath();
        env = Map.of(
                "FERRY_CLUSTER_DIR", clusterDir.toString(),
                "FERRY_CLUSTER_BASE_PORT", Integer.toString(Ports.freeClusterBase()),
                "FERRY_CLUSTER_START_TIMEOUT", "60",
                "FERRY_HEAP_OPTS", "-Xms64m -Xmx256m");
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        if (!Files.isDirectory(clusterDir)) {
            return;
        }
        Shell.Result clean = cluster("clean");
        if (Files.isDirectory(clusterDir)) {
            // The script could not stop or delete everything: no node may outlive the test.
            try (Stream<Path> pidFiles = Files.find(clusterDir, 2, (p, a) -> p.endsWith("node.pid"))) {
                for (Path pidFile : pidFiles.toList()) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        assertEquals(0, clean.exitCode(), clean::toString);
    }

    @Test
    void upStatusKillRestartDownClean() throws Exception {
        Shell.Result up = cluster("up", "--controllers-only");
        assertEquals(0, up.exitCode(), up::toString);
        assertState(up, "controller-1", 1, "healthy");
        assertState(up, "controller-2", 2, "healthy");
        assertState(up, "controller-3", 3, "healthy");
        assertTrue(up.output().contains("Controller quorum is up."), up::toString);

        Shell.Result status = cluster("status");
        assertEquals(0, status.exitCode(), status::toString);
        assertFalse(status.output().contains("broker-"), "--controllers-only starts no broker: " + status);
        long pid2 = pid(status, "controller-2");

        Shell.Result kill = cluster("kill", "2");
        assertEquals(0, kill.exitCode(), kill::toString);
        assertTrue(kill.output().contains("controller-2 (id 2, pid " + pid2 + "): killed with SIGKILL"), kill::toString);
        awaitGone(pid2);

        // The two others keep a quorum: once they agree on a leader both are healthy again.
        Shell.Result degraded = await("status with controller-2 down and a quorum of two")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster("status"), s -> state(s, "controller-1").equals(Optional.of("healthy"))
                        && state(s, "controller-3").equals(Optional.of("healthy")));
        assertEquals(1, degraded.exitCode(), "status exits 1 while a node is down: " + degraded);
        assertState(degraded, "controller-2", 2, "down");

        Shell.Result restart = cluster("restart", "controller-2");
        assertEquals(0, restart.exitCode(), restart::toString);
        assertState(restart, "controller-2", 2, "healthy");
        assertEquals(0, cluster("status").exitCode());

        Shell.Result logs = cluster("logs", "2");
        assertEquals(0, logs.exitCode(), logs::toString);
        assertEquals(2, Pattern.compile("Ferry node 2 started").matcher(logs.output()).results().count(),
                "one start-up line per start, in the same log: " + logs);

        List<Long> pids = Stream.of("controller-1", "controller-2", "controller-3")
                .map(n -> pid(cluster0("status"), n)).toList();
        Shell.Result down = cluster("down");
        assertEquals(0, down.exitCode(), down::toString);
        for (String node : List.of("controller-1", "controller-2", "controller-3")) {
            assertTrue(down.output().contains(node + ": stopped (SIGTERM)"), down::toString);
        }
        pids.forEach(FerryClusterScriptTest::awaitGone);
        Shell.Result stopped = cluster("status");
        assertEquals(1, stopped.exitCode(), stopped::toString);
        assertState(stopped, "controller-1", 1, "down");

        Shell.Result clean = cluster("clean");
        assertEquals(0, clean.exitCode(), clean::toString);
        assertTrue(clean.output().contains("Deleted " + clusterDir), clean::toString);
        assertFalse(Files.exists(clusterDir));
    }

    @Test
    void upNamesTheNodeThatFailedAndWhereItsLogIs() throws Exception {
        int taken = Integer.parseInt(env.get("FERRY_CLUSTER_BASE_PORT")) + 1102; // controller-3's HTTP port
        try (ServerSocket blocker = new ServerSocket()) {
            blocker.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken));

            Shell.Result up = cluster("up", "--controllers-only");

            assertEquals(1, up.exitCode(), up::toString);
            Path log = clusterDir.resolve("controller-3/node.log");
            assertTrue(up.output().contains("FAILED: controller-3 (id 3) exited during start-up; log: " + log),
                    up::toString);
            assertTrue(up.output().contains("127.0.0.1:" + taken), "the log excerpt names the port: " + up);
            assertState(up, "controller-3", 3, "down");
        }
    }

    /** The process has exited and been reaped (a killed node is a zombie until init collects it). */
    private static void awaitGone(long pid) {
        await("pid " + pid + " gone").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
    }

    private Shell.Result cluster(String... args) throws IOException, InterruptedException {
        List<String> command = Stream.concat(Stream.of(Repo.ROOT.resolve("bin/ferry-cluster").toString()),
                Stream.of(args)).toList();
        return Shell.run(COMMAND_TIMEOUT, env, command);
    }

    private Shell.Result cluster0(String... args) {
        try {
            return cluster(args);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The STATE column of a node's row in the table up, status and restart print. */
    private static Optional<String> state(Shell.Result result, String node) {
        Matcher m = row(node).matcher(result.output());
        return m.find() ? Optional.of(m.group(2)) : Optional.empty();
    }

    private static long pid(Shell.Result result, String node) {
        Matcher m = row(node).matcher(result.output());
        assertTrue(m.find(), () -> "no row for " + node + ": " + result);
        return Long.parseLong(m.group(3));
    }

    private static Pattern row(String node) {
        return Pattern.compile("(?m)^" + node + "\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s");
    }

    private static void assertState(Shell.Result result, String node, int id, String expected) {
        Matcher m = row(node).matcher(result.output());
        assertTrue(m.find(), () -> "no row for " + node + ": " + result);
        assertEquals(Integer.toString(id), m.group(1), () -> "id of " + node + ": " + result);
        assertEquals(expected, m.group(2), () -> "state of " + node + ": " + result);
    }
}
