package io.ferry.systemtests;

import static io.ferry.systemtests.CliOutput.assertEachValueOnce;
import static io.ferry.systemtests.CliOutput.assertOutput;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/security.md's compose cluster with mutual TLS, run as a user runs it in a real Docker engine:
 * {@code bin/ferry-certs}, docker-compose.yml with docker-compose.tls.yml, and the CLI from the host with
 * deploy/tls/client.properties. The nodes reach each other (Raft, registration, replication) only with their
 * certificates; the admin creates a topic and writes with acks=all; a plaintext client is refused; an
 * application certificate may write only once an ACL allows it; every record is read back; Kafka's admin client
 * reaches the brokers' SSL Kafka ports with the same client settings, and only with a certificate. The certificates
 * live in this test's folder (the compose file's {@code TLS_DIR}), not in the repository's .ferry-compose.
 *
 * <p>Tagged "tools" like {@link ComposeWalkthroughTest}, whose images ({@link DockerFixture}) and host ports it
 * shares: the two run one after the other. Output and the containers' logs: {@code target/containers/compose-tls/}.
 */
@Tag("tools")
@ExtendWith(DockerFixture.class)
class ComposeTlsTest {

    private static final String PROJECT = "ferry-tls";
    private static final Path WORK = DockerFixture.WORK.resolve("compose-tls");
    private static final Path TLS = WORK.resolve("tls");

    private static final List<String> NODES =
            List.of("controller-1", "controller-2", "controller-3", "broker-1", "broker-2", "broker-3");
    /** The ports docker-compose.yml publishes for the nodes on 127.0.0.1. */
    private static final List<Integer> HOST_PORTS =
            List.of(9092, 9093, 9094, 10092, 10093, 10094, 9192, 9193, 9194, 10192, 10193, 10194, 9392, 9393, 9394);

    private static final String COMPOSE = "docker compose -f docker-compose.yml -f docker-compose.tls.yml";
    /** The README's command with this test's folder for .ferry-compose/tls. */
    static final String README_CERTIFICATES =
            "bin/ferry-certs .ferry-compose/tls " + String.join(" ", NODES) + " admin";

    static final String CERTIFICATES = README_CERTIFICATES.replace(".ferry-compose/tls", TLS.toString());
    /** The README's command but for the build (see ComposeWalkthroughTest). */
    static final String README_UP = COMPOSE + " up -d --build";

    static final String UP = COMPOSE + " up -d --no-build " + String.join(" ", NODES);
    static final String DOWN = COMPOSE + " down -v";

    private static final Duration COMPOSE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(2);
    /** Six JVMs starting in containers on a loaded two-core machine. */
    private static final Duration HEALTHY_TIMEOUT = Duration.ofMinutes(4);

    private static final Duration ACL_TIMEOUT = Duration.ofSeconds(60);

    private static ComposeProject project;

    @BeforeAll
    static void project() throws Exception {
        deleteCertificates();
        Files.createDirectories(WORK);
        project =
                new ComposeProject(PROJECT, Map.of("NODE_IMAGE", DockerFixture.NODE_IMAGE, "TLS_DIR", TLS.toString()));
        project.downIfAnythingIsLeft(DOWN);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (project != null) {
            project.downIfAnythingIsLeft(DOWN);
        }
        deleteCertificates();
    }

    @Test
    void theReadmeGivesTheCommandsThisTestRuns() throws IOException {
        String readme = Files.readString(Repo.path("README.md"));
        for (String line : List.of(
                README_CERTIFICATES, README_UP, "bin/ferry --command-config deploy/tls/client.properties topic list")) {
            assertTrue(readme.contains("    " + line + "\n"), () -> "README.md does not show: " + line);
        }
    }

    @Test
    void nodesReachEachOtherWithCertificatesAndOnlyCertifiedCallersAllowedByAclsAreServed() throws Exception {
        for (int port : HOST_PORTS) {
            assertTrue(LoopbackPorts.isFree(port), "127.0.0.1:" + port + " is taken; docker-compose.yml publishes it");
        }
        try {
            secureCluster();
        } finally {
            Shell.Result logs = project.run(COMPOSE_TIMEOUT, COMPOSE + " logs --no-color");
            Files.writeString(WORK.resolve("containers.log"), logs.output(), StandardCharsets.UTF_8);
        }
        Shell.Result down = project.run(COMPOSE_TIMEOUT, DOWN);
        assertEquals(0, down.exitCode(), down::toString);
        assertEquals(List.of(), project.leftovers());
    }

    private void secureCluster() throws Exception {
        assertSucceeds(CERTIFICATES);
        String admin = " --command-config " + clientProperties("admin");
        assertSucceeds(COMPOSE_TIMEOUT, UP);
        project.awaitHealthy(NODES, HEALTHY_TIMEOUT);

        assertOutput(
                run("bin/ferry" + admin + " topic create --topic secure --partitions 3 --replication-factor 3"),
                "Created topic secure with 3 partition(s), replication factor 3.");
        assertOutput(
                run("seq 100 | bin/ferry" + admin + " produce --topic secure --acks all"),
                "Read 100 line(s), sent 100 record(s) to topic secure (acks=all): 100 acknowledged, 0 failed.");

        Shell.Result plaintext = run("bin/ferry topic list");
        assertNotEquals(0, plaintext.exitCode(), plaintext::toString);
        assertTrue(
                plaintext.output().contains("this Ferry listener accepts TLS only")
                        || plaintext.output().contains("Connection reset"),
                plaintext::toString);
        assertFalse(plaintext.output().lines().anyMatch(line -> line.strip().equals("secure")), plaintext::toString);

        // An application's certificate of the same CA authenticates it, and ACLs decide what it may do.
        assertSucceeds("bin/ferry-certs " + TLS + " app");
        String app = " --command-config " + clientProperties("app");
        String appProduces = "seq 101 200 | bin/ferry" + app + " produce --topic secure --acks all";
        Shell.Result denied = run(appProduces);
        assertNotEquals(0, denied.exitCode(), denied::toString);
        assertTrue(denied.output().contains("TOPIC_AUTHORIZATION_FAILED"), denied::toString);
        assertSucceeds("bin/ferry" + admin + " acl add --allow-principal User:app --operation Write --topic secure");
        await("User:app's ACL reaches the brokers")
                .atMost(ACL_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> run(appProduces).exitCode(), code -> code == 0);

        assertEachValueOnce(
                run("bin/ferry" + admin
                        + " consume --topic secure --from-beginning --timeout-ms 5000 | sort -n | uniq | wc -l"),
                200);

        // The Kafka ports speak TLS with client certificates: Kafka's admin client with the CLI's settings lists
        // the topic; without the settings (plaintext) it gets nothing.
        Properties kafka = new Properties();
        try (Reader settings = Files.newBufferedReader(clientProperties("admin"))) {
            kafka.load(settings);
        }
        kafka.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9392,127.0.0.1:9393,127.0.0.1:9394");
        try (Admin certified = Admin.create(kafka)) {
            assertTrue(certified.listTopics().names().get(60, TimeUnit.SECONDS).contains("secure"));
        }
        Properties plain = new Properties();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9392");
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin plaintextAdmin = Admin.create(plain)) {
            assertThrows(
                    ExecutionException.class,
                    () -> plaintextAdmin.listTopics().names().get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * deploy/tls/client.properties, the README's CLI settings, with this test's folder for .ferry-compose/tls and
     * {@code name}'s key, so the file users are given is the one tested.
     */
    private static Path clientProperties(String name) throws IOException {
        String given = Files.readString(Repo.path("deploy/tls/client.properties"));
        assertTrue(given.contains(".ferry-compose/tls/admin.pem"), given);
        Path properties = WORK.resolve(name + ".properties");
        Files.writeString(
                properties,
                given.replace(
                                ".ferry-compose/tls/admin.pem",
                                TLS.resolve(name + ".pem").toString())
                        .replace(".ferry-compose/tls/", TLS + "/"));
        return properties;
    }

    private static Shell.Result run(String line) throws IOException, InterruptedException {
        return project.run(CLI_TIMEOUT, line);
    }

    private static void assertSucceeds(String line) throws IOException, InterruptedException {
        assertSucceeds(CLI_TIMEOUT, line);
    }

    private static void assertSucceeds(Duration timeout, String line) throws IOException, InterruptedException {
        Shell.Result result = project.run(timeout, line);
        assertEquals(0, result.exitCode(), () -> line + "\n" + result);
    }

    private static void deleteCertificates() throws IOException {
        if (Files.exists(TLS)) {
            try (Stream<Path> files = Files.walk(TLS)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
