package io.ferry.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands against a real single node (broker and controller in this JVM, loopback, ephemeral
 * ports), checking what a user reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {

    private Path dir;
    private TestNode node;
    private String bootstrap;

    @BeforeAll
    void startNode(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        node = TestNode.start(dir);
        bootstrap = node.bootstrap();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ferry(String stdin, String... args) {
        return node.ferry(stdin, args);
    }

    private void createTopic(String name, int partitions) {
        Result r = ferry("", "topic", "create", "--topic", name, "--partitions", Integer.toString(partitions));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(
                "Created topic " + name + " with " + partitions + " partition(s), replication factor 1.\n", r.out());
    }

    @Test
    void topicLifecycle() {
        createTopic("lifecycle", 2);
        Result created = ferry("", "topic", "create", "--topic", "configured", "--config", "retention.ms=60000");
        assertEquals(0, created.exitCode(), created.toString());

        Result list = new CliRunner()
                .realTime()
                .variables(Map.of("FERRY_BOOTSTRAP", bootstrap))
                .run("topic", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().lines().toList().containsAll(List.of("lifecycle", "configured")), list.out());

        Result describe = ferry("", "topic", "describe", "--topic", "lifecycle");
        assertEquals(0, describe.exitCode(), describe.toString());
        assertTrue(describe.out().startsWith("Topic: lifecycle\tTopicId: "), describe.out());
        assertTrue(describe.out().contains("\tTopic: lifecycle\tPartition: 1\tLeader: 1\t"), describe.out());
        assertTrue(describe.out().contains("Replicas: 1\tIsr: 1\n"), describe.out());
        assertTrue(ferry("", "topic", "describe", "--topic", "configured").out().contains("retention.ms=60000"));

        Result altered = ferry(
                "",
                "topic",
                "alter",
                "--topic",
                "configured",
                "--config",
                "max.message.bytes=2048",
                "--delete-config",
                "retention.ms");
        assertEquals(0, altered.exitCode(), altered.toString());
        assertEquals("Altered topic configured. Configs: max.message.bytes=2048\n", altered.out());
        assertTrue(ferry("", "topic", "describe", "--topic", "configured")
                .out()
                .contains("\tConfigs: max.message.bytes=2048\n"));
        Result badValue = ferry("", "topic", "alter", "--topic", "configured", "--config", "retention.ms=1w");
        assertEquals(1, badValue.exitCode(), badValue.toString());
        assertEquals(
                "error: INVALID_CONFIG: retention.ms: expected a whole number of milliseconds, got '1w'\n",
                badValue.err());
        Result unknownTopic = ferry("", "topic", "alter", "--topic", "nowhere", "--config", "retention.ms=1");
        assertTrue(unknownTopic.err().startsWith("error: UNKNOWN_TOPIC: "), unknownTopic.toString());
        Result grown = ferry("", "topic", "alter", "--topic", "configured", "--partitions", "3");
        assertEquals(0, grown.exitCode(), grown.toString());
        assertEquals("Topic configured has 3 partition(s).\n", grown.out());
        assertTrue(ferry("", "topic", "describe", "--topic", "configured")
                .out()
                .contains("\tTopic: configured\tPartition: 2\tLeader: 1\t"));
        Result shrunk = ferry("", "topic", "alter", "--topic", "configured", "--partitions", "2");
        assertEquals(1, shrunk.exitCode(), shrunk.toString());
        assertTrue(
                shrunk.err().startsWith("error: INVALID_PARTITIONS: topic configured has 3 partition(s)"),
                shrunk.toString());
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    0,
                    ferry("r" + i + "\n", "produce", "--topic", "configured", "--partition", "1")
                            .exitCode());
        }
        Result purged =
                ferry("", "topic", "delete-records", "--topic", "configured", "--partition", "1", "--offset", "2");
        assertEquals(0, purged.exitCode(), purged.toString());
        assertEquals("Partition 1 of configured: log start offset 2\n", purged.out());
        Result rest = ferry(
                "",
                "consume",
                "--topic",
                "configured",
                "--partition",
                "1",
                "--from-beginning",
                "--max-messages",
                "2",
                "--timeout-ms",
                "10000",
                "--print-offset");
        assertEquals("2\tr2\n3\tr3\n", rest.out(), rest.toString());
        Result everything = ferry("", "topic", "delete-records", "--topic", "configured", "--offset", "-1");
        assertEquals(
                "Partition 0 of configured: log start offset 0\nPartition 1 of configured: log start offset 4\n"
                        + "Partition 2 of configured: log start offset 0\n",
                everything.out(),
                everything.toString());
        Result nothing = ferry("", "topic", "alter", "--topic", "configured");
        assertEquals(2, nothing.exitCode(), nothing.toString());
        assertTrue(nothing.err().contains("nothing to change"), nothing.toString());

        Result misconfigured = ferry("", "topic", "create", "--topic", "misconfigured", "--config", "retention.ms=1w");
        assertEquals(1, misconfigured.exitCode(), misconfigured.toString());
        assertEquals(
                "error: INVALID_CONFIG: retention.ms: expected a whole number of milliseconds, got '1w'\n",
                misconfigured.err());
        assertEquals(
                1, ferry("", "topic", "describe", "--topic", "misconfigured").exitCode());

        Result again = ferry("", "topic", "create", "--topic", "lifecycle");
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().startsWith("error: TOPIC_ALREADY_EXISTS: "), again.toString());
        assertEquals(1, again.err().lines().count(), again.toString());

        Result deleted = ferry("", "topic", "delete", "--topic", "lifecycle");
        assertEquals(0, deleted.exitCode(), deleted.toString());
        assertEquals("Deleted topic lifecycle.\n", deleted.out());
        Result gone = ferry("", "topic", "describe", "--topic", "lifecycle");
        assertEquals(1, gone.exitCode(), gone.toString());
        assertTrue(gone.err().startsWith("error: UNKNOWN_TOPIC: "), gone.toString());
    }

    @Test
    void produceWithEachAcksThenConsumeFromTheBeginning() {
        createTopic("lines", 1);
        for (String acks : List.of("0", "1", "all")) {
            Result r = ferry("a" + acks + "\nb" + acks + "\n", "produce", "--topic", "lines", "--acks", acks);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("", r.out());
            String expected = acks.equals("0") ? "not acknowledged by the broker (acks=0)" : "2 acknowledged";
            assertEquals(
                    "Read 2 line(s), sent 2 record(s) to topic lines (acks=" + acks + "): " + expected
                            + ", 0 failed.\n",
                    r.err());
        }
        Result keyed = ferry(
                "k1:v1\nk2:v:2\n",
                "produce",
                "--topic",
                "lines",
                "--key-separator",
                ":",
                "--compression",
                "lz4",
                "--linger-ms",
                "0");
        assertEquals(0, keyed.exitCode(), keyed.toString());

        Result consumed = ferry(
                "",
                "consume",
                "--topic",
                "lines",
                "--from-beginning",
                "--max-messages",
                "8",
                "--timeout-ms",
                "10000",
                "--print-offset",
                "--print-key");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertEquals("""
                0\tnull\ta0
                1\tnull\tb0
                2\tnull\ta1
                3\tnull\tb1
                4\tnull\taall
                5\tnull\tball
                6\tk1\tv1
                7\tk2\tv:2
                """, consumed.out());
        assertEquals("Processed a total of 8 message(s).\n", consumed.err());

        Result fromOffset = ferry(
                "",
                "consume",
                "--topic",
                "lines",
                "--partition",
                "0",
                "--offset",
                "6",
                "--timeout-ms",
                "1500",
                "--print-partition",
                "--separator",
                "|");
        assertEquals("0|v1\n0|v:2\n", fromOffset.out(), fromOffset.toString());

        Result pastTheEnd = ferry("", "consume", "--topic", "lines", "--offset", "1000", "--timeout-ms", "5000");
        assertEquals(1, pastTheEnd.exitCode(), pastTheEnd.toString());
        assertTrue(pastTheEnd.err().startsWith("error: OFFSET_OUT_OF_RANGE: "), pastTheEnd.toString());
    }

    @Test
    void consumeFromATimestamp() {
        createTopic("timed", 1);
        assertEquals(0, ferry("old-1\nold-2\n", "produce", "--topic", "timed").exitCode());
        long boundary = System.currentTimeMillis() + 1;
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > boundary);
        assertEquals(0, ferry("new-1\nnew-2\n", "produce", "--topic", "timed").exitCode());

        Result iso = ferry(
                "",
                "consume",
                "--topic",
                "timed",
                "--timestamp",
                Instant.ofEpochMilli(boundary).toString(),
                "--timeout-ms",
                "1500",
                "--print-timestamp");
        assertEquals(0, iso.exitCode(), iso.toString());
        List<String> lines = iso.out().lines().toList();
        assertEquals(2, lines.size(), iso.toString());
        assertTrue(lines.get(0).endsWith("\tnew-1") && lines.get(1).endsWith("\tnew-2"), iso.out());
        assertTrue(Instant.parse(lines.get(0).split("\t")[0]).toEpochMilli() >= boundary, iso.out());

        Result millis = ferry(
                "",
                "consume",
                "--topic",
                "timed",
                "--timestamp",
                Long.toString(boundary),
                "--max-messages",
                "1",
                "--timeout-ms",
                "5000");
        assertEquals("new-1\n", millis.out(), millis.toString());
    }

    @Test
    void failedRecordsAreCountedAndExitNonZero() throws IOException {
        createTopic("strict", 1);
        Path config = Files.writeString(dir.resolve("small.properties"), "max.request.size=200\n");
        Result r = ferry(
                "k:ok\nno separator here\nk:" + "x".repeat(500) + "\nk:fine\n",
                "produce",
                "--topic",
                "strict",
                "--key-separator",
                ":",
                "--command-config",
                config.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("error: line 2: no key separator ':' in the line\n"), r.err());
        assertTrue(r.err().contains("error: line 3: BATCH_TOO_LARGE: "), r.err());
        assertTrue(
                r.err()
                        .endsWith("Read 4 line(s), sent 3 record(s) to topic strict (acks=all): 2 acknowledged, "
                                + "2 failed.\n"),
                r.err());

        Result unknown = ferry("x\n", "produce", "--topic", "no-such-topic");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().startsWith("error: UNKNOWN_TOPIC: "), unknown.toString());
        Result badPartition = ferry("x\n", "produce", "--topic", "strict", "--partition", "3");
        assertEquals(2, badPartition.exitCode(), badPartition.toString());
        assertEquals(
                "error: --partition 3 does not exist: topic 'strict' has 1 partition(s), 0..0\n", badPartition.err());
    }

    @Test
    void aTopicAlteredToCompactTakesOnlyKeyedRecords() {
        createTopic("to-compact", 1);
        assertEquals(0, ferry("before\n", "produce", "--topic", "to-compact").exitCode());

        Result shred = ferry("", "topic", "alter", "--topic", "to-compact", "--config", "cleanup.policy=shred");
        assertEquals(1, shred.exitCode(), shred.toString());
        assertEquals(
                "error: INVALID_CONFIG: cleanup.policy: expected delete, compact or compact,delete (words in any "
                        + "order and case), got 'shred'\n",
                shred.err());
        Result altered = ferry("", "topic", "alter", "--topic", "to-compact", "--config", "cleanup.policy=compact");
        assertEquals(0, altered.exitCode(), altered.toString());
        assertEquals("Altered topic to-compact. Configs: cleanup.policy=compact\n", altered.out());

        // Each broker applies the change with its next metadata view; then a keyless record is refused.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Result keyless = ferry("after\n", "produce", "--topic", "to-compact");
            return keyless.exitCode() == 1 && keyless.err().contains("INVALID_RECORD");
        });
        Result keyed = ferry("k:after\n", "produce", "--topic", "to-compact", "--key-separator", ":");
        assertEquals(0, keyed.exitCode(), keyed.toString());
        Result consumed = ferry(
                "",
                "consume",
                "--topic",
                "to-compact",
                "--from-beginning",
                "--max-messages",
                "2",
                "--timeout-ms",
                "10000",
                "--print-key");
        assertEquals("null\tbefore\nk\tafter\n", consumed.out(), consumed.toString());
    }

    @Test
    void perfProduceWithAKeySpaceFeedsACompactedTopicTheSeededKeys() {
        Result created = ferry("", "topic", "create", "--topic", "perf-keyed", "--config", "cleanup.policy=compact");
        assertEquals(0, created.exitCode(), created.toString());
        Result produce = ferry(
                "",
                "perf",
                "produce",
                "--topic",
                "perf-keyed",
                "--num-records",
                "50",
                "--record-size",
                "10",
                "--key-space",
                "5",
                "--json");
        assertEquals(0, produce.exitCode(), produce.toString()); // a keyless record would be INVALID_RECORD

        Result consumed = ferry(
                "",
                "consume",
                "--topic",
                "perf-keyed",
                "--from-beginning",
                "--max-messages",
                "50",
                "--timeout-ms",
                "10000",
                "--print-key");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        Random seeded = new Random(42);
        List<String> expected = IntStream.range(0, 50)
                .mapToObj(i -> String.format("key-%08d", seeded.nextInt(5)))
                .toList();
        assertEquals(
                expected,
                consumed.out().lines().map(line -> line.split("\t")[0]).toList(),
                consumed.toString());
    }

    @Test
    void clusterViewAndWatch() {
        createTopic("viewed", 2);
        Result r = ferry("", "cluster");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Active controller: 1    Metadata version: "), r.out());
        assertTrue(r.out().contains("\n1       " + bootstrap + "  alive\n"), r.out());
        assertTrue(
                Pattern.compile("\nviewed +1 +1 +\\d+ +1 +1 +ok\n")
                        .matcher(r.out())
                        .find(),
                r.out());
        assertTrue(r.out().contains("1 broker(s) (0 fenced), "), r.out());
        assertTrue(r.out().contains(" partition(s): 0 under-replicated, 0 offline\n"), r.out());

        // Fake time: three polls at 0, 1 and 2 s; the view did not change, so one timestamped block.
        Result watched = new CliRunner()
                .run("cluster", "--watch", "--interval", "1s", "--watch-for", "2s", "--bootstrap", bootstrap);
        assertEquals(0, watched.exitCode(), watched.toString());
        assertTrue(watched.out().startsWith("=== 2026-11-22T00:00:00Z ===\nActive controller: 1"), watched.out());
        assertEquals(1, watched.out().split("=== ", -1).length - 1, watched.out());
    }

    @Test
    void perfToolsReportTheirFigures() throws IOException {
        createTopic("perf", 1);
        Result produce = ferry(
                "",
                "perf",
                "produce",
                "--topic",
                "perf",
                "--num-records",
                "300",
                "--record-size",
                "100",
                "--throughput",
                "-1",
                "--acks",
                "1");
        assertEquals(0, produce.exitCode(), produce.toString());
        String last = produce.out().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(
                last.matches(
                        "300 records sent, [\\d.]+ records/sec \\([\\d.]+ MB/sec\\), [\\d.]+ ms avg latency, "
                                + "[\\d.]+ ms max latency, [\\d.]+ ms 50th, [\\d.]+ ms 95th, [\\d.]+ ms 99th, [\\d.]+ ms 99.9th\\."),
                last);

        Result json = ferry(
                "",
                "perf",
                "produce",
                "--topic",
                "perf",
                "--num-records",
                "100",
                "--record-size",
                "10",
                "--json",
                "--producer-prop",
                "linger.ms=1",
                "--compression",
                "zstd");
        assertEquals(0, json.exitCode(), json.toString());
        assertTrue(json.out().startsWith("{\"records\":100,\"errors\":0,\"bytes\":1000,"), json.out());

        Path payloads = Files.writeString(dir.resolve("payloads.txt"), "alpha\nbeta\n");
        Result fromFile = ferry(
                "", "perf", "produce", "--topic", "perf", "--num-records", "50", "--payload-file", payloads.toString());
        assertEquals(0, fromFile.exitCode(), fromFile.toString());
        assertTrue(fromFile.out().startsWith("50 records sent, "), fromFile.out());

        Result consume = ferry(
                "",
                "perf",
                "consume",
                "--topic",
                "perf",
                "--num-records",
                "450",
                "--from-beginning",
                "--timeout-ms",
                "10000",
                "--json");
        assertEquals(0, consume.exitCode(), consume.toString());
        assertTrue(consume.out().startsWith("{\"records\":450,\"bytes\":"), consume.out());

        Result e2e = ferry("", "perf", "e2e", "--topic", "perf", "--num-records", "200", "--rate", "500");
        assertEquals(0, e2e.exitCode(), e2e.toString());
        assertTrue(
                e2e.out()
                        .startsWith("100 records at 500 records/sec (acks=all, 100 warm-up records not counted): "
                                + "e2e latency avg "),
                e2e.out());
    }
}
