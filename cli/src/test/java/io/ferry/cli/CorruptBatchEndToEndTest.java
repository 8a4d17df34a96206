package io.ferry.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition whose log holds a batch with a valid CRC but lying records, as logs written before
 * brokers validated records may: offsets 0..1 ({@code a}, {@code b}), the poison batch at 2..4 (three
 * records whose count says two), then 5..6 ({@code c}, {@code d}). A broker that validates refuses such
 * a batch, so it is put where an old broker left it: the node is stopped, the batch is appended to the
 * partition's log as a follower appends replicated bytes (framing and CRC checked, records trusted), and
 * the node starts again on the same directories.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptBatchEndToEndTest {

    private static final String TOPIC = "poisoned";

    private List<String> nodeConfig;
    private FerryNode node;
    private String bootstrap;

    @BeforeAll
    void startWithAPoisonedLog(@TempDir Path dir) throws Exception {
        int raftPort;
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            raftPort = s.getLocalPort();
        }
        Path logs = dir.resolve("logs");
        nodeConfig = List.of("node.id=1", "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:" + raftPort, "controller.quorum.election.timeout.ms=300",
                "log.dirs=" + logs, "grpc.listener=127.0.0.1:0", "http.listener=127.0.0.1:0",
                "broker.heartbeat.interval.ms=500");
        start();
        assertEquals(0, ferry("", "topic", "create", "--topic", TOPIC, "--partitions", "1").exitCode());
        assertEquals(0, ferry("a\nb\n", "produce", "--topic", TOPIC).exitCode());
        node.close();

        appendAsFollower(logs.resolve(TOPIC + "-0"), poison());
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> ferry("", "topic", "describe", "--topic", TOPIC).out()
                .contains("\tLeader: 1\t"));
        Result more = ferry("c\nd\n", "produce", "--topic", TOPIC);
        assertEquals(0, more.exitCode(), more.toString());
    }

    private void start() throws Exception {
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), nodeConfig));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        bootstrap = "127.0.0.1:" + node.grpcAddress().getPort();
    }

    /** Three records p0..p2 whose record count says two, resealed so the CRC is valid. */
    private static ByteBuffer poison() {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < 3; i++) {
            builder.append(System.currentTimeMillis(), null, ("p" + i).getBytes(UTF_8));
        }
        ByteBuffer batch = builder.build();
        batch.putInt(57, 2); // record count, under the CRC
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(21)); // attributes .. end
        batch.putInt(17, (int) crc.getValue());
        return batch;
    }

    private static void appendAsFollower(Path partitionDir, ByteBuffer batch) throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Log log = Log.open(partitionDir, LogConfig.defaults(), 0, Clock.systemUTC(), scheduler)) {
            RecordBatch stamped = RecordBatch.wrap(batch);
            stamped.setBaseOffset(log.logEndOffset());
            stamped.setPartitionLeaderEpoch(log.latestEpoch().orElse(0));
            log.appendAsFollower(batch);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ferry(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap");
        all.add(bootstrap);
        return new CliRunner().realTime().stdin(stdin).run(all.toArray(String[]::new));
    }

    @Test
    void consumeStopsAtTheBadBatchNamingItsOffsets() {
        Result r = ferry("", "consume", "--topic", TOPIC, "--from-beginning", "--timeout-ms", "5000", "--print-offset");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("0\ta\n1\tb\n", r.out(), "the records before the bad batch are printed");
        assertTrue(r.err().startsWith("error: CORRUPT_BATCH: poisoned-0: the batch at offsets 2..4 cannot be decoded: "
                + "INVALID_RECORD_COUNT: batch declares 2 records but "), r.toString());
        assertTrue(r.err().endsWith("; rerun with --skip-corrupt to skip it (or with --partition 0 --offset 5 to "
                + "start after it)\n"), r.toString());
    }

    @Test
    void consumeSkipsTheBadBatchWhenAskedAndSaysWhatItSkipped() {
        Result r = ferry("", "consume", "--topic", TOPIC, "--from-beginning", "--max-messages", "4", "--timeout-ms",
                "10000", "--print-offset", "--skip-corrupt");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("0\ta\n1\tb\n5\tc\n6\td\n", r.out());
        assertTrue(Pattern.compile("""
                Skipped offsets 2\\.\\.4 of partition 0: a batch that cannot be decoded \\(INVALID_RECORD_COUNT: \
                batch declares 2 records but \\d+ bytes follow the last of them\\)
                Processed a total of 4 message\\(s\\), skipped 1 batch\\(es\\) that could not be decoded\\.
                """).matcher(r.err()).matches(), r.toString());
    }

    @Test
    void dumpShowsEveryBatchAndMarksTheUndecodableOne() {
        Result r = ferry("", "topic", "dump", "--topic", TOPIC, "--partition", "0", "--records", "--print-data");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("Dumping poisoned-0 from offset 0 (leader 1, log start 0, high watermark 7)", lines.get(0));
        List<String> records = lines.stream().filter(l -> l.startsWith("| offset: "))
                .map(l -> l.substring(l.indexOf("payload: ") + "payload: ".length())).toList();
        assertEquals(List.of("a", "b", "p0", "c", "d"), records, "what still decodes is shown, " + r.out());
        int poison = lines.indexOf(lines.stream().filter(l -> l.startsWith("baseOffset: 2 ")).findFirst().orElseThrow());
        assertTrue(lines.get(poison).startsWith("baseOffset: 2 lastOffset: 4 count: 2 size: "), lines.get(poison));
        assertTrue(lines.get(poison).endsWith(" isvalid: true"), "the CRC is valid: " + lines.get(poison));
        assertTrue(lines.get(poison + 1).startsWith("| offset: 2 CreateTime: "), r.out());
        assertTrue(lines.get(poison + 2).startsWith("| undecodable: INVALID_RECORD_COUNT: batch declares 2 records "
                + "but "), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("baseOffset: 5 ")), r.out());
        assertTrue(r.err().matches("Dumped \\d batch\\(es\\), 5 record\\(s\\) of poisoned-0 from offset 0 to 7; "
                + "1 batch\\(es\\) could not be decoded\\.\n"), r.err());

        Result fromTheMiddle = ferry("", "topic", "dump", "--topic", TOPIC, "--partition", "0", "--offset", "3",
                "--max-batches", "1");
        assertEquals(0, fromTheMiddle.exitCode(), fromTheMiddle.toString());
        assertEquals(List.of("baseOffset: 2", "| undecodable: INVALID_RECORD_COUNT"), fromTheMiddle.out().lines()
                .skip(1).map(l -> l.substring(0, l.indexOf(l.startsWith("|") ? ": batch" : " lastOffset"))).toList());
    }
}
