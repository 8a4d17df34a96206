package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own command-line tools (kafka-tools 4.4, each run as its own JVM, as {@code bin/kafka-*.sh} runs
 * them) and kcat (librdkafka, Debian's package) against the Kafka listeners of a three-broker cluster, as an
 * operator who knows Kafka would use them: create and describe a topic, produce and consume on the console
 * (in a classic group), describe and list the consumer group, and measure with ProducerPerformance and
 * ConsumerPerformance (in a KIP-848 group); kcat also consumes in a group (librdkafka's classic protocol).
 */
class KafkaToolsTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);

    private static ProcessCluster cluster;
    private static Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        dir = Files.createTempDirectory("kafka-tools");
        cluster = ProcessCluster.start(dir.resolve("cluster"), List.of("min.insync.replicas=2"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void kafkasCommandLineToolsWorkAgainstFerry() throws Exception {
        String bootstrap = cluster.kafkaBootstrap();
        Shell.Result created = tool(
                "org.apache.kafka.tools.TopicCommand",
                "--bootstrap-server",
                bootstrap,
                "--create",
                "--topic",
                "payments",
                "--partitions",
                "3",
                "--replication-factor",
                "3",
                "--config",
                "min.insync.replicas=2");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.output().contains("Created topic payments."), created.toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Shell.Result described = tool(
                    "org.apache.kafka.tools.TopicCommand",
                    "--bootstrap-server",
                    bootstrap,
                    "--describe",
                    "--topic",
                    "payments");
            assertEquals(0, described.exitCode(), described.toString());
            assertTrue(described.output().contains("PartitionCount: 3"), described.toString());
            assertTrue(described.output().contains("ReplicationFactor: 3"), described.toString());
            assertTrue(described.output().contains("min.insync.replicas=2"), described.toString());
            assertEquals(
                    3,
                    described
                            .output()
                            .lines()
                            .filter(l -> l.contains("Leader: 10"))
                            .count(),
                    described.toString());
        });

        // kafka-acls.sh: add, list and remove an ACL through the Kafka port.
        Shell.Result aclAdded = tool(
                "org.apache.kafka.tools.AclCommand",
                "--bootstrap-server",
                bootstrap,
                "--add",
                "--allow-principal",
                "User:alice",
                "--operation",
                "Read",
                "--topic",
                "payments");
        assertEquals(0, aclAdded.exitCode(), aclAdded.toString());
        String aliceReads = "(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)";
        Shell.Result aclListed = tool(
                "org.apache.kafka.tools.AclCommand", "--bootstrap-server", bootstrap, "--list", "--topic", "payments");
        assertEquals(0, aclListed.exitCode(), aclListed.toString());
        assertTrue(aclListed.output().contains(aliceReads), aclListed.toString());
        Shell.Result aclRemoved = tool(
                "org.apache.kafka.tools.AclCommand",
                "--bootstrap-server",
                bootstrap,
                "--remove",
                "--force",
                "--allow-principal",
                "User:alice",
                "--operation",
                "Read",
                "--topic",
                "payments");
        assertEquals(0, aclRemoved.exitCode(), aclRemoved.toString());
        Shell.Result aclGone = tool("org.apache.kafka.tools.AclCommand", "--bootstrap-server", bootstrap, "--list");
        assertEquals(0, aclGone.exitCode(), aclGone.toString());
        assertFalse(aclGone.output().contains("User:alice"), aclGone.toString());

        String lines = IntStream.range(0, 20).mapToObj(i -> "payment-" + i).collect(Collectors.joining("\n")) + "\n";
        Shell.Result produced = Shell.run(
                TOOL_TIMEOUT,
                java(
                        "org.apache.kafka.tools.ConsoleProducer",
                        "--bootstrap-server",
                        bootstrap,
                        "--topic",
                        "payments",
                        "--producer-property",
                        "acks=all"),
                lines);
        assertEquals(0, produced.exitCode(), produced.toString());

        Shell.Result consumed = tool(
                "org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "payments",
                "--from-beginning",
                "--max-messages",
                "20",
                "--timeout-ms",
                "60000",
                // The classic group protocol, the console consumer's default.
                "--group",
                "reconciliation");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        List<String> values = consumed.output()
                .lines()
                .filter(l -> l.startsWith("payment-"))
                .sorted()
                .toList();
        assertEquals(lines.lines().sorted().toList(), values, consumed.toString());

        Shell.Result groups = tool(
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--bootstrap-server",
                bootstrap,
                "--list");
        assertEquals(0, groups.exitCode(), groups.toString());
        assertTrue(groups.output().lines().anyMatch("reconciliation"::equals), groups.toString());
        Shell.Result group = tool(
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--bootstrap-server",
                bootstrap,
                "--describe",
                "--group",
                "reconciliation");
        assertEquals(0, group.exitCode(), group.toString());
        // Every partition's committed offset is its end: lag 0 on each of the three rows.
        assertEquals(
                3,
                group.output()
                        .lines()
                        .filter(l -> l.startsWith("reconciliation") && l.contains("payments"))
                        .filter(l -> l.trim().split("\\s+").length >= 6
                                && l.trim().split("\\s+")[5].equals("0"))
                        .count(),
                group.toString());

        Shell.Result producerPerf = tool(
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic",
                "payments",
                "--num-records",
                "20000",
                "--record-size",
                "100",
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + bootstrap,
                "acks=all");
        assertEquals(0, producerPerf.exitCode(), producerPerf.toString());
        assertTrue(producerPerf.output().contains("20000 records sent"), producerPerf.toString());

        Path consumerConfig = dir.resolve("consumer.properties");
        Files.writeString(consumerConfig, "group.protocol=consumer\n", StandardCharsets.UTF_8);
        Shell.Result consumerPerf = tool(
                "org.apache.kafka.tools.ConsumerPerformance",
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "payments",
                "--messages",
                "20000",
                "--consumer.config",
                consumerConfig.toString(),
                "--timeout",
                "60000");
        assertEquals(0, consumerPerf.exitCode(), consumerPerf.toString());
        assertTrue(consumerPerf.output().contains("start.time"), consumerPerf.toString());
    }

    @Test
    @Tag("tools")
    void kcatListsProducesAndConsumes() throws Exception {
        String bootstrap = cluster.kafkaBootstrap();
        cluster.admin().createTopic("kcat", 1, 3, java.util.Map.of());
        String lines = "one\ntwo\nthree\n";
        Shell.Result produced =
                Shell.run(TOOL_TIMEOUT, List.of("kcat", "-b", bootstrap, "-P", "-t", "kcat", "-p", "0"), lines);
        assertEquals(0, produced.exitCode(), produced.toString());
        Shell.Result consumed = Shell.run(
                TOOL_TIMEOUT, "kcat", "-b", bootstrap, "-C", "-t", "kcat", "-p", "0", "-o", "beginning", "-e", "-q");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertEquals(List.of("one", "two", "three"), consumed.output().lines().toList(), consumed.toString());
        Shell.Result metadata = Shell.run(TOOL_TIMEOUT, "kcat", "-b", bootstrap, "-L", "-t", "kcat");
        assertEquals(0, metadata.exitCode(), metadata.toString());
        assertTrue(metadata.output().contains("3 brokers"), metadata.toString());
        assertTrue(metadata.output().contains("partition 0, leader 10"), metadata.toString());

        // A balanced consumer (-G): librdkafka's classic group protocol; it commits on leaving, so the group's
        // next member starts after what the first read.
        List<String> inGroup = List.of(
                "kcat", "-b", bootstrap, "-G", "kcat-readers", "-X", "auto.offset.reset=earliest", "-e", "-q", "kcat");
        Shell.Result grouped = Shell.run(TOOL_TIMEOUT, inGroup, "");
        assertEquals(0, grouped.exitCode(), grouped.toString());
        assertEquals(List.of("one", "two", "three"), grouped.output().lines().toList(), grouped.toString());
        assertEquals(
                0,
                Shell.run(TOOL_TIMEOUT, List.of("kcat", "-b", bootstrap, "-P", "-t", "kcat"), "four\n")
                        .exitCode());
        Shell.Result resumed = Shell.run(TOOL_TIMEOUT, inGroup, "");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertEquals(List.of("four"), resumed.output().lines().toList(), resumed.toString());
    }

    /** A Kafka tool's main class run in its own JVM with kafka-tools on the class path, as Kafka's scripts do. */
    private static Shell.Result tool(String mainClass, String... args) throws IOException, InterruptedException {
        return Shell.run(TOOL_TIMEOUT, java.util.Map.of(), java(mainClass, args));
    }

    private static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
