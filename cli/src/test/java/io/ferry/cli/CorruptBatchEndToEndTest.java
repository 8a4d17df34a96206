package io.ferry.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import io.ferry.record.BatchScanner;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
 * Two partitions with a batch no consumer can decode at offsets 2..4, between {@code a}, {@code b}
 * (0..1) and {@code c}, {@code d} (5..6). In {@code poisoned-0} it is a batch a broker stored before it
 * validated records: three records whose count says two, with a valid CRC. In {@code rotten-0} it is a
 * valid batch whose bytes changed on disk afterwards (its CRC no longer matches), so even its header
 * cannot be trusted. A broker refuses both, so they are put where the past left them: the node is
 * stopped, each batch is appended to the partition's log as a follower appends replicated bytes
 * (framing and CRC checked, records trusted), the rotten one has a byte flipped in the segment file,
 * and the node starts again on the same directories.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptBatchEndToEndTest {

    private static final String TOPIC = "poisoned";
    private static final String ROTTEN = "rotten";

    private TestNode node;

    @BeforeAll
    void startWithCorruptLogs(@TempDir Path dir) throws Exception {
        node = TestNode.start(dir);
        for (String topic : List.of(TOPIC, ROTTEN)) {
            assertEquals(
                    0,
                    node.ferry("", "topic", "create", "--topic", topic, "--partitions", "1")
                            .exitCode());
            assertEquals(0, node.ferry("a\nb\n", "produce", "--topic", topic).exitCode());
        }
        node.close();

        appendAsFollower(node.logDir().resolve(TOPIC + "-0"), batch("p", 3, 2));
        Path rotten = node.logDir().resolve(ROTTEN + "-0");
        appendAsFollower(rotten, batch("r", 3, 3));
        flipTheLastValueByteOfTheBatchAt(rotten, 2);
        node.start();
        for (String topic : List.of(TOPIC, ROTTEN)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> node.ferry("", "topic", "describe", "--topic", topic)
                            .out()
                            .contains("\tLeader: 1\t"));
            Result more = node.ferry("c\nd\n", "produce", "--topic", topic);
            assertEquals(0, more.exitCode(), more.toString());
        }
    }

    /** {@code records} records {@code prefix + i} whose record count says {@code declared}, with a valid CRC. */
    private static ByteBuffer batch(String prefix, int records, int declared) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            builder.append(System.currentTimeMillis(), null, (prefix + i).getBytes(UTF_8));
        }
        ByteBuffer batch = builder.build();
        batch.putInt(57, declared); // record count, under the CRC
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(21)); // attributes .. end
        batch.putInt(17, (int) crc.getValue());
        return batch;
    }

    /** Flips a bit of the last value byte of the batch at {@code baseOffset} in the partition's first segment. */
    private static void flipTheLastValueByteOfTheBatchAt(Path partitionDir, long baseOffset) throws Exception {
        try (FileChannel file = FileChannel.open(
                partitionDir.resolve(String.format("%020d.log", 0)),
                StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) file.size());
            file.read(bytes, 0);
            BatchScanner scanner = BatchScanner.of(bytes.flip());
            while (true) {
                int position = scanner.position();
                RecordBatch batch = scanner.nextShallow();
                if (batch.baseOffset() == baseOffset) {
                    int at = position + batch.sizeInBytes() - 2; // before the last record's header count
                    file.write(ByteBuffer.wrap(new byte[] {(byte) (bytes.get(at) ^ 1)}), at);
                    return;
                }
            }
        }
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

    @Test
    void consumeStopsAtTheBadBatchNamingItsOffsets() {
        Result r = node.ferry(
                "", "consume", "--topic", TOPIC, "--from-beginning", "--timeout-ms", "5000", "--print-offset");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("0\ta\n1\tb\n", r.out(), "the records before the bad batch are printed");
        assertTrue(
                r.err()
                        .startsWith("error: CORRUPT_BATCH: poisoned-0: the batch at offsets 2..4 cannot be decoded: "
                                + "INVALID_RECORD_COUNT: batch declares 2 records but "),
                r.toString());
        assertTrue(
                r.err()
                        .endsWith("; rerun with --skip-corrupt to skip it (or with --partition 0 --offset 5 to "
                                + "start after it)\n"),
                r.toString());
    }

    @Test
    void consumeSkipsTheBadBatchWhenAskedAndSaysWhatItSkipped() {
        Result r = node.ferry(
                "",
                "consume",
                "--topic",
                TOPIC,
                "--from-beginning",
                "--max-messages",
                "4",
                "--timeout-ms",
                "10000",
                "--print-offset",
                "--skip-corrupt");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("0\ta\n1\tb\n5\tc\n6\td\n", r.out());
        assertTrue(Pattern.compile("""
                Skipped offsets 2\\.\\.4 of partition 0: a batch that cannot be decoded \\(INVALID_RECORD_COUNT: \
                batch declares 2 records but \\d+ bytes follow the last of them\\)
                Processed a total of 4 message\\(s\\), skipped 1 batch\\(es\\) that could not be decoded\\.
                """).matcher(r.err()).matches(), r.toString());
    }

    @Test
    void aBatchWhoseCrcNoLongerMatchesIsReportedAndSkippedUpToTheNextBatch() {
        Result stopped = node.ferry("", "consume", "--topic", ROTTEN, "--from-beginning", "--timeout-ms", "5000");
        assertEquals(1, stopped.exitCode(), stopped.toString());
        assertEquals("a\nb\n", stopped.out());
        assertTrue(
                stopped.err()
                        .startsWith("error: CORRUPT_BATCH: rotten-0: the batch at offsets 2..4 (its end is "
                                + "where the next batch starts) cannot be decoded: CRC_MISMATCH: "),
                stopped.toString());

        Result skipped = node.ferry(
                "",
                "consume",
                "--topic",
                ROTTEN,
                "--from-beginning",
                "--max-messages",
                "4",
                "--timeout-ms",
                "10000",
                "--skip-corrupt");
        assertEquals("a\nb\nc\nd\n", skipped.out(), skipped.toString());
        assertTrue(
                skipped.err()
                        .startsWith("Skipped offsets 2..4 of partition 0: a batch that cannot be decoded "
                                + "(CRC_MISMATCH: "),
                skipped.toString());

        Result dump = node.ferry("", "topic", "dump", "--topic", ROTTEN, "--partition", "0");
        assertEquals(0, dump.exitCode(), dump.toString());
        String rottenLine = dump.out()
                .lines()
                .filter(l -> l.startsWith("baseOffset: 2 "))
                .findFirst()
                .orElseThrow();
        assertTrue(rottenLine.contains(" isvalid: false problem: CRC_MISMATCH: "), rottenLine);
        assertTrue(rottenLine.endsWith(" next: 5 (where the next batch starts)"), rottenLine);
        assertTrue(dump.out().contains("\nbaseOffset: 5 "), dump.out());
    }

    @Test
    void dumpShowsEveryBatchAndMarksTheUndecodableOne() {
        Result r = node.ferry("", "topic", "dump", "--topic", TOPIC, "--partition", "0", "--records", "--print-data");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("Dumping poisoned-0 from offset 0 (leader 1, log start 0, high watermark 7)", lines.get(0));
        List<String> records = lines.stream()
                .filter(l -> l.startsWith("| offset: "))
                .map(l -> l.substring(l.indexOf("payload: ") + "payload: ".length()))
                .toList();
        assertEquals(List.of("a", "b", "p0", "c", "d"), records, "what still decodes is shown, " + r.out());
        int poison = lines.indexOf(lines.stream()
                .filter(l -> l.startsWith("baseOffset: 2 "))
                .findFirst()
                .orElseThrow());
        assertTrue(lines.get(poison).startsWith("baseOffset: 2 lastOffset: 4 count: 2 size: "), lines.get(poison));
        assertTrue(lines.get(poison).endsWith(" isvalid: true"), "the CRC is valid: " + lines.get(poison));
        assertTrue(lines.get(poison + 1).startsWith("| offset: 2 CreateTime: "), r.out());
        assertTrue(
                lines.get(poison + 2)
                        .startsWith("| undecodable: INVALID_RECORD_COUNT: batch declares 2 records " + "but "),
                r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("baseOffset: 5 ")), r.out());
        assertTrue(
                r.err()
                        .matches("Dumped \\d batch\\(es\\), 5 record\\(s\\) of poisoned-0 from offset 0 to 7; "
                                + "1 batch\\(es\\) could not be decoded\\.\n"),
                r.err());

        Result fromTheMiddle = node.ferry(
                "", "topic", "dump", "--topic", TOPIC, "--partition", "0", "--offset", "3", "--max-batches", "1");
        assertEquals(0, fromTheMiddle.exitCode(), fromTheMiddle.toString());
        assertEquals(
                "Dumped 1 batch(es), 1 record(s) of poisoned-0 from offset 3 to 5; 1 batch(es) could not be "
                        + "decoded.\n",
                fromTheMiddle.err());
        assertEquals(
                List.of("baseOffset: 2", "| undecodable: INVALID_RECORD_COUNT"),
                fromTheMiddle
                        .out()
                        .lines()
                        .skip(1)
                        .map(l -> l.substring(0, l.indexOf(l.startsWith("|") ? ": batch" : " lastOffset")))
                        .toList());
    }
}
