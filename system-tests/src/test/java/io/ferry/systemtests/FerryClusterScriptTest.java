package io.ferry.systemtests;

import static io.ferry.systemtests.ClusterTable.brokerState;
import static io.ferry.systemtests.ClusterTable.everyPartitionOk;
import static io.ferry.systemtests.ClusterTable.partitions;
import static io.ferry.systemtests.ClusterTable.partitionsLedBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster walkthrough, run as a user runs it: {@code bin/ferry-cluster up}, a topic with
 * three replicas and {@code acks=all} writes through {@code bin/ferry}, a broker killed with
 * {@code bin/ferry-cluster kill}, more {@code acks=all} writes, the broker restarted, everything
 * consumed, {@code down}. The checks read the output a user reads: the status table, the
 * {@code ferry cluster} table, the produce summary and the consumed records.
 *
 * <p>Each test has its own cluster folder under target/ and a free port range; whatever a test leaves
 * running is stopped and its folder deleted afterwards, whether it passed or not.
 */
class FerryClusterScriptTest {

    /** Per command; {@code up} waits for six JVMs, which takes long on a loaded two-core machine. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(240);

    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> NODES =
            List.of("controller-1", "controller-2", "controller-3", "broker-1", "broker-2", "broker-3");
    private static final int RECORDS_PER_RUN = 100;

    private Path clusterDir;

    @TempDir
    Path inputs;

    private int base;
    private Map<String, String> env;

    @BeforeEach
    void newCluster() {
        Repo.requireNodeJar();
        Repo.requireCliJar();
        Repo.requireTool("curl", "Debian: apt-get install curl");
        clusterDir = Path.of("target", "ferry-cluster-" + UUID.randomUUID()).toAbsolutePath();
        // Every port of the script's plan: B..B+2, B+100..B+102, B+200..B+202, and each gRPC port + 1000.
        base = LoopbackPorts.freeBase(
                0, 1, 2, 100, 101, 102, 200, 201, 202, 300, 301, 302, 1000, 1001, 1002, 1100, 1101, 1102);
        env = Map.of(
                "FERRY_CLUSTER_DIR",
                clusterDir.toString(),
                "FERRY_CLUSTER_BASE_PORT",
                Integer.toString(base),
                "FERRY_CLUSTER_START_TIMEOUT",
                "180",
                "FERRY_HEAP_OPTS",
                "-Xms64m -Xmx256m",
                // What bin/ferry's default (127.0.0.1:9092) is for the default base port: broker-1.
                "FERRY_BOOTSTRAP",
                "127.0.0.1:" + base);
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        if (!Files.isDirectory(clusterDir)) {
            return;
        }
        Shell.Result clean;
        try {
            clean = cluster("clean");
        } finally {
            if (Files.isDirectory(clusterDir)) {
                // The script could not stop or delete everything: no node may outlive the test.
                try (Stream<Path> pidFiles = Files.find(clusterDir, 2, (p, a) -> p.endsWith("node.pid"))) {
                    for (Path pidFile : pidFiles.toList()) {
                        ProcessHandle.of(
                                        Long.parseLong(Files.readString(pidFile).strip()))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
        assertEquals(0, clean.exitCode(), clean::toString);
    }

    @Test
    void readmeWalkthroughKillsABrokerAndLosesNothing() throws Exception {
        Shell.Result up = cluster("up");
        assertEquals(0, up.exitCode(), up::toString);
        for (String node : NODES) {
            assertState(up, node, "healthy");
        }
        assertTrue(up.output().contains("Cluster is up. Bootstrap: 127.0.0.1:" + base), up::toString);
        assertTrue(
                up.output().contains("Kafka clients and tools: --bootstrap-server 127.0.0.1:" + (base + 300)),
                up::toString);

        Shell.Result create =
                ferry("topic", "create", "--topic", "orders", "--partitions", "3", "--replication-factor", "3");
        assertEquals(0, create.exitCode(), create::toString);
        assertTrue(
                create.output().contains("Created topic orders with 3 partition(s), replication factor 3."),
                create::toString);

        produceAcksAll("before-kill");

        Shell.Result before = await("every partition of orders with its full ISR")
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> ferry0("cluster"), ClusterTable::everyPartitionOk);
        List<Integer> ledBy102 = partitionsLedBy(before, "102");
        assertFalse(ledBy102.isEmpty(), "placement gives broker-2 a leadership among 3 partitions: " + before);

        long pid = pid(cluster("status"), "broker-2");
        Shell.Result kill = cluster("kill", "broker-2");
        assertEquals(0, kill.exitCode(), kill::toString);
        assertTrue(kill.output().contains("broker-2 (id 102, pid " + pid + "): killed with SIGKILL"), kill::toString);

        // The controller fences broker-2 and moves its leaderships to surviving ISR members.
        Shell.Result failedOver = await("broker 102 fenced and its partitions led elsewhere")
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> ferry0("cluster"),
                        c -> brokerState(c, "102").equals(Optional.of("FENCED"))
                                && partitions(c).size() == 3
                                && partitionsLedBy(c, "102").isEmpty());
        Map<Integer, ClusterTable.Partition> afterKill = partitions(failedOver);
        for (int p : ledBy102) {
            assertTrue(
                    List.of("101", "103").contains(afterKill.get(p).leader()),
                    "partition " + p + " moved to a live broker: " + failedOver);
        }
        for (ClusterTable.Partition p : afterKill.values()) {
            assertEquals("UNDER-REPLICATED", p.status(), failedOver::toString);
            assertFalse(List.of(p.isr().split(",")).contains("102"), "fenced broker left the ISR: " + failedOver);
        }
        assertTrue(failedOver.output().contains("3 under-replicated, 0 offline"), failedOver::toString);

        Shell.Result degraded = cluster("status");
        assertEquals(1, degraded.exitCode(), "status exits 1 while a node is down: " + degraded);
        assertState(degraded, "broker-2", "down");
        assertState(degraded, "broker-1", "healthy");

        produceAcksAll("after-kill");

        Shell.Result restart = cluster("restart", "broker-2");
        assertEquals(0, restart.exitCode(), restart::toString);
        assertState(restart, "broker-2", "healthy");

        Shell.Result healed = await("broker 102 alive and back in every ISR")
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> ferry0("cluster"),
                        c -> brokerState(c, "102").equals(Optional.of("alive")) && everyPartitionOk(c));
        assertTrue(healed.output().contains("0 under-replicated, 0 offline"), healed::toString);
        assertEquals(0, cluster("status").exitCode());

        Shell.Result consume = ferry("consume", "--topic", "orders", "--from-beginning", "--timeout-ms", "5000");
        assertEquals(0, consume.exitCode(), consume::toString);
        List<String> expected = Stream.concat(values("before-kill"), values("after-kill"))
                .sorted()
                .toList();
        List<String> consumed = consume.output()
                .lines()
                .filter(l -> l.startsWith("before-kill-") || l.startsWith("after-kill-"))
                .sorted()
                .toList();
        assertEquals(expected, consumed, "every acknowledged record exactly once: " + consume);
        assertTrue(
                consume.output().contains("Processed a total of " + expected.size() + " message(s)."),
                consume::toString);

        Shell.Result logs = cluster("logs", "broker-2");
        assertEquals(0, logs.exitCode(), logs::toString);
        assertEquals(
                2,
                Pattern.compile("Ferry node 102 started")
                        .matcher(logs.output())
                        .results()
                        .count(),
                "one start-up line per start, in the same log: " + logs);

        List<Long> pids = NODES.stream().map(n -> pid(cluster0("status"), n)).toList();
        Shell.Result down = cluster("down");
        assertEquals(0, down.exitCode(), down::toString);
        for (String node : NODES) {
            assertTrue(down.output().contains(node + ": stopped (SIGTERM)"), down::toString);
        }
        pids.forEach(FerryClusterScriptTest::awaitGone);
        Shell.Result stopped = cluster("status");
        assertEquals(1, stopped.exitCode(), stopped::toString);
        NODES.forEach(n -> assertState(stopped, n, "down"));

        Shell.Result clean = cluster("clean");
        assertEquals(0, clean.exitCode(), clean::toString);
        assertTrue(clean.output().contains("Deleted " + clusterDir), clean::toString);
        assertFalse(Files.exists(clusterDir));
    }

    /**
     * {@code up --tls}: the script makes a CA and the certificates with openssl, every node serves mutual TLS
     * (and so does the controllers' Raft port), and the CLI works with the client.properties it writes, and
     * neither in plaintext nor without its certificate.
     */
    @Test
    @Tag("tools")
    void upWithTlsServesOnlyMutualTlsAndEnforcesAcls() throws Exception {
        Repo.requireTool("openssl", "Debian: apt-get install openssl");
        Shell.Result up = cluster("up", "--tls");
        assertEquals(0, up.exitCode(), up::toString);
        NODES.forEach(node -> assertState(up, node, "healthy"));
        Path clientProperties = clusterDir.resolve("client.properties");
        assertTrue(
                up.output()
                        .contains("The CLI connects as User:admin (a super user) with --command-config "
                                + clientProperties),
                up::toString);
        for (String node : NODES) {
            assertEquals(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(clusterDir.resolve("tls/" + node + ".pem")),
                    "only the owner may read " + node + "'s private key");
        }

        String config = "--command-config=" + clientProperties;
        Shell.Result create = ferry(config, "topic", "create", "--topic", "orders", "--partitions", "3");
        assertEquals(0, create.exitCode(), create::toString);
        produceAcksAll("tls", config);
        Shell.Result consume = ferry(
                config,
                "consume",
                "--topic",
                "orders",
                "--from-beginning",
                "--max-messages",
                Integer.toString(RECORDS_PER_RUN));
        assertEquals(0, consume.exitCode(), consume::toString);
        assertEquals(
                values("tls").sorted().toList(),
                consume.output()
                        .lines()
                        .filter(l -> l.startsWith("tls-"))
                        .sorted()
                        .toList(),
                consume::toString);

        // Kafka's clients reach the brokers' Kafka ports over mutual TLS with the same client settings.
        Properties kafka = new Properties();
        try (Reader settings = Files.newBufferedReader(clientProperties)) {
            kafka.load(settings);
        }
        kafka.put("bootstrap.servers", "127.0.0.1:" + (base + 300));
        assertTrue(
                up.output()
                        .contains("Kafka clients and tools: --bootstrap-server 127.0.0.1:" + (base + 300)
                                + " with the client settings of " + clientProperties),
                up::toString);
        try (Admin admin = Admin.create(kafka)) {
            assertTrue(admin.listTopics().names().get(60, TimeUnit.SECONDS).contains("orders"));
        }

        Shell.Result plaintext = ferry("topic", "list");
        assertEquals(1, plaintext.exitCode(), plaintext::toString);
        // The refusal's words are TlsNodeTest's to check; from a separate process, on a loaded machine, the client
        // may see the connection end before it reads them.
        assertTrue(
                plaintext.output().contains("this Ferry listener accepts TLS only")
                        || plaintext.output().contains("Connection reset"),
                plaintext::toString);
        assertFalse(plaintext.output().contains("orders"), plaintext::toString);

        // ACLs are enforced: an application with a certificate of the cluster's CA may do only what it is given.
        String alice = "--command-config=" + applicationConfig("alice");
        Shell.Result denied = ferry(alice, "produce", "--topic", "orders", "--acks", "all", "--file", valuesFile("a"));
        assertEquals(1, denied.exitCode(), denied::toString);
        assertTrue(denied.output().contains("TOPIC_AUTHORIZATION_FAILED"), denied::toString);
        Shell.Result grant = ferry(
                config, "acl", "add", "--allow-principal", "User:alice", "--operation", "Write", "--topic", "orders");
        assertEquals(0, grant.exitCode(), grant::toString);
        await("alice's ACL reaches the brokers")
                .atMost(FAILOVER_TIMEOUT)
                .until(
                        () -> ferry0(alice, "produce", "--topic", "orders", "--acks", "all", "--file", valuesFile("b"))
                                .exitCode(),
                        code -> code == 0);

        Path withoutCertificate = inputs.resolve("no-certificate.properties");
        Files.writeString(
                withoutCertificate,
                "security.protocol=SSL\nssl.truststore.location=" + clusterDir.resolve("tls/ca.pem") + "\n");
        Shell.Result anonymous = ferry("--command-config=" + withoutCertificate, "topic", "list");
        assertEquals(1, anonymous.exitCode(), anonymous::toString);
        assertTrue(anonymous.output().toUpperCase(Locale.ROOT).contains("CERTIFICATE_REQUIRED"), anonymous::toString);
    }

    @Test
    void upNamesTheNodeThatFailedAndWhereItsLogIs() throws Exception {
        int taken = base + 1102; // controller-3's HTTP port
        try (ServerSocket blocker = new ServerSocket()) {
            blocker.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken));

            Shell.Result up = cluster("up", "--controllers-only");

            assertEquals(1, up.exitCode(), up::toString);
            Path log = clusterDir.resolve("controller-3/node.log");
            assertTrue(
                    up.output().contains("FAILED: controller-3 (id 3) exited during start-up; log: " + log),
                    up::toString);
            assertTrue(up.output().contains("127.0.0.1:" + taken), "the log excerpt names the port: " + up);
            assertState(up, "controller-3", "down");
            assertFalse(up.output().contains("broker-"), "--controllers-only starts no broker: " + up);
        }
    }

    @Test
    void upThatTimesOutSaysTheNodesMayStillComeUpAndHowToWaitLonger() throws Exception {
        // 0 s: the deadline has passed at the first /health check, when no JVM can have started yet.
        Map<String, String> impatient = new HashMap<>(env);
        impatient.put("FERRY_CLUSTER_START_TIMEOUT", "0");

        Shell.Result up = Shell.run(
                COMMAND_TIMEOUT,
                impatient,
                List.of(Repo.ROOT.resolve("bin/ferry-cluster").toString(), "up", "--controllers-only"));

        assertEquals(1, up.exitCode(), up::toString);
        assertTrue(up.output().contains("FAILED: controller-1 (id 1) not healthy after 0s"), up::toString);
        assertTrue(
                up.output()
                        .contains("Nodes still starting become healthy on their own ('bin/ferry-cluster status');"
                                + " FERRY_CLUSTER_START_TIMEOUT (now 0s) makes up and restart wait longer."),
                up::toString);
    }

    /**
     * A key and certificate for {@code CN=name,O=Ferry} signed by the cluster's CA (as the script signs its own),
     * and a client configuration that presents them.
     */
    /** An application's certificate of the cluster's CA, made as docs/security.md says, and its client settings. */
    private Path applicationConfig(String name) throws IOException, InterruptedException {
        Path tls = clusterDir.resolve("tls");
        Shell.Result made =
                Shell.run(COMMAND_TIMEOUT, Repo.path("bin/ferry-certs").toString(), tls.toString(), name);
        assertEquals(0, made.exitCode(), made::toString);
        Path config = inputs.resolve(name + ".properties");
        Files.writeString(
                config,
                "security.protocol=SSL\nssl.truststore.location=" + tls.resolve("ca.pem") + "\nssl.keystore.location="
                        + tls.resolve(name + ".pem") + "\n");
        return config;
    }

    /** A file of {@link #RECORDS_PER_RUN} lines {@code prefix-i}, for {@code produce --file}. */
    private String valuesFile(String prefix) throws IOException {
        Path file = inputs.resolve(prefix + ".txt");
        Files.write(file, values(prefix).toList());
        return file.toString();
    }

    /** {@code bin/ferry produce --file F --acks all} of {@link #RECORDS_PER_RUN} lines {@code prefix-i}. */
    private void produceAcksAll(String prefix, String... globalOptions) throws IOException, InterruptedException {
        Path file = inputs.resolve(prefix + ".txt");
        Files.write(file, values(prefix).toList());
        Shell.Result produce = ferry(Stream.concat(
                        Stream.of(globalOptions),
                        Stream.of("produce", "--topic", "orders", "--acks", "all", "--file", file.toString()))
                .toArray(String[]::new));
        assertEquals(0, produce.exitCode(), produce::toString);
        assertTrue(
                produce.output()
                        .contains("Read " + RECORDS_PER_RUN + " line(s), sent " + RECORDS_PER_RUN
                                + " record(s) to topic orders (acks=all): " + RECORDS_PER_RUN
                                + " acknowledged, 0 failed."),
                produce::toString);
    }

    private static Stream<String> values(String prefix) {
        return IntStream.rangeClosed(1, RECORDS_PER_RUN).mapToObj(i -> prefix + "-" + i);
    }

    /** The process has exited and been reaped (a killed node is a zombie until init collects it). */
    private static void awaitGone(long pid) {
        await("pid " + pid + " gone")
                .atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
    }

    private Shell.Result cluster(String... args) throws IOException, InterruptedException {
        return run("bin/ferry-cluster", args);
    }

    private Shell.Result ferry(String... args) throws IOException, InterruptedException {
        return run("bin/ferry", args);
    }

    private Shell.Result run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = Stream.concat(Stream.of(Repo.ROOT.resolve(script).toString()), Stream.of(args))
                .toList();
        return Shell.run(COMMAND_TIMEOUT, env, command);
    }

    private Shell.Result cluster0(String... args) {
        try {
            return cluster(args);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private Shell.Result ferry0(String... args) {
        try {
            return ferry(args);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static long pid(Shell.Result result, String node) {
        Matcher m = row(node).matcher(result.output());
        assertTrue(m.find(), () -> "no row for " + node + ": " + result);
        return Long.parseLong(m.group(3));
    }

    /** A node's row in the table up, status and restart print: NODE ID STATE PID ... */
    private static Pattern row(String node) {
        return Pattern.compile("(?m)^" + node + "\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s");
    }

    private static void assertState(Shell.Result result, String node, String expected) {
        Matcher m = row(node).matcher(result.output());
        assertTrue(m.find(), () -> "no row for " + node + ": " + result);
        String id = node.startsWith("broker-")
                ? "10" + node.substring("broker-".length())
                : node.substring("controller-".length());
        assertEquals(id, m.group(1), () -> "id of " + node + ": " + result);
        assertEquals(expected, m.group(2), () -> "state of " + node + ": " + result);
    }
}
