package io.ferry.storage;

import static io.ferry.storage.CompactedLogs.keyed;
import static io.ferry.storage.CompactedLogs.latest;
import static io.ferry.storage.CompactedLogs.readAll;
import static io.ferry.storage.CompactedLogs.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.CompactedLogs.KeyValue;
import io.ferry.storage.internal.OffsetMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCompactionTest {

    private static final LogConfig CONFIG = LogConfig.builder()
            .segmentBytes(4096)
            .indexIntervalBytes(64)
            .segmentIndexBytes(256)
            .fileDeleteDelayMs(0)
            .cleanupPolicy(CleanupPolicy.COMPACT)
            .deleteRetentionMs(60_000)
            .build();

    @TempDir
    Path root;

    private ScheduledExecutorService scheduler;
    private ManualClock clock;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        clock = new ManualClock(System.currentTimeMillis());
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private static OffsetMap bigMap() {
        return new OffsetMap(64 * 1024, 0.9);
    }

    private void append(Log log, KeyValue... records) throws LogAppendException {
        log.appendAsLeader(keyed(CompressionType.NONE, clock.millis(), List.of(records)), 0);
    }

    private static KeyValue kv(String key, String value) {
        return new KeyValue(key, value);
    }

    @Test
    void keepsTheLatestRecordPerKeyAtItsOffsetAndReadsAcrossGaps() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        append(log, kv("a", "1")); // 0
        append(log, kv("b", "1")); // 1
        append(log, kv("a", "2"), kv("c", "1")); // 2, 3
        append(log, kv("b", "2"), kv("a", "2b")); // 4, 5
        log.roll();
        append(log, kv("a", "3")); // 6, active: not cleaned
        log.flush();

        CleanResult result = log.clean(0, log.logEndOffset(), bigMap());

        assertEquals(6, result.cleanOffset());
        assertEquals(1, result.segmentsCleaned());
        assertEquals(3, result.recordsDropped());
        List<RecordBatch> batches = readAll(log);
        assertEquals(
                List.of(2L, 4L, 6L),
                batches.stream().map(RecordBatch::baseOffset).toList());
        List<Record> records = records(batches);
        assertEquals(
                List.of(3L, 4L, 5L, 6L), records.stream().map(Record::offset).toList());
        assertEquals(Map.of("c", "1", "b", "2", "a", "3"), latest(records));
        // The batch that lost a record keeps its offset range; offsets in the gap read from the next batch.
        assertEquals(3, batches.get(0).lastOffset());
        assertEquals(2, log.read(0, 1, Long.MAX_VALUE).records().getLong(0));
        assertEquals(4, log.read(4, 1, Long.MAX_VALUE).records().getLong(0));
        assertEquals(0, log.logStartOffset());
        log.close();

        // Reopened with recovery, the gaps are accepted and nothing is lost.
        Files.delete(root.resolve("t-0").resolve("clean-shutdown"));
        Log reopened = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        assertEquals(0, reopened.recoveryResult().bytesTruncated());
        assertEquals(Map.of("c", "1", "b", "2", "a", "3"), latest(records(readAll(reopened))));
        reopened.close();
    }

    @Test
    void segmentsThatCleanToNothingStayEmptyReadAcrossAndReopenAndTheNextPassMergesThem() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        for (int segment = 0; segment < 4; segment++) {
            append(log, kv("a", "a" + segment), kv("b", "b" + segment)); // every value superseded later
            log.roll();
        }
        append(log, kv("a", "last"), kv("b", "last"));
        log.roll();
        append(log, kv("c", "active"));
        log.flush();
        long end = log.logEndOffset();

        CleanResult first = log.clean(0, end, bigMap());

        assertEquals(5, first.segmentsCleaned());
        assertEquals(8, first.recordsDropped());
        assertEquals(Map.of("a", "last", "b", "last", "c", "active"), latest(records(readAll(log))));
        // Every offset from the log start, inside the empty segments too, reads the next kept batch.
        for (long offset = 0; offset < 8; offset++) {
            assertEquals(8, log.read(offset, 100, Long.MAX_VALUE).records().getLong(0), "read at " + offset);
        }
        log.close();
        Files.delete(root.resolve("t-0").resolve("clean-shutdown"));
        Log reopened = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        assertEquals(0, reopened.recoveryResult().bytesTruncated());
        assertEquals(end, reopened.logEndOffset());
        assertEquals(Map.of("a", "last", "b", "last", "c", "active"), latest(records(readAll(reopened))));

        // The empty segments weigh nothing: the next pass groups them with their neighbour into one.
        reopened.roll();
        reopened.flush();
        reopened.clean(first.cleanOffset(), reopened.logEndOffset(), bigMap());
        assertEquals(2, reopened.segmentCount());
        assertEquals(Map.of("a", "last", "b", "last", "c", "active"), latest(records(readAll(reopened))));
        reopened.close();
    }

    @Test
    void aRewrittenBatchKeepsItsCodecProducerFieldsEpochAndOffsetRange() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        log.appendAsLeader(
                RecordBatchBuilder.create(CompressionType.GZIP)
                        .producer(77, (short) 3, 10)
                        .append(clock.millis(), CompactedLogs.utf8("x"), CompactedLogs.utf8("old"))
                        .append(clock.millis(), CompactedLogs.utf8("y"), CompactedLogs.utf8("keep"))
                        .append(clock.millis(), CompactedLogs.utf8("z"), CompactedLogs.utf8("old"))
                        .build(),
                4);
        log.appendAsLeader(keyed(CompressionType.NONE, clock.millis(), List.of(kv("x", "new"), kv("z", "new"))), 4);
        log.roll();
        log.flush();

        log.clean(0, log.logEndOffset(), bigMap());

        RecordBatch rewritten = readAll(log).get(0);
        rewritten.validate();
        assertEquals(0, rewritten.baseOffset());
        assertEquals(2, rewritten.lastOffset());
        assertEquals(1, rewritten.recordCount());
        assertEquals(CompressionType.GZIP, rewritten.compression());
        assertEquals(77, rewritten.producerId());
        assertEquals(3, rewritten.producerEpoch());
        assertEquals(10, rewritten.baseSequence());
        assertEquals(4, rewritten.partitionLeaderEpoch());
        assertEquals(
                List.of(1L),
                records(List.of(rewritten)).stream().map(Record::offset).toList());
        log.close();
    }

    @Test
    void aBatchThatLosesEveryRecordStaysEmptyWhileItHoldsItsProducersLastSequence() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        log.appendAsLeader(producerBatch(77, 3, 0, "a", "b"), 4);
        log.appendAsLeader(producerBatch(77, 3, 2, "c"), 4);
        log.appendAsLeader(
                keyed(CompressionType.NONE, clock.millis(), List.of(kv("a", "2"), kv("b", "2"), kv("c", "2"))), 4);
        log.roll();
        log.flush();

        log.clean(0, log.logEndOffset(), bigMap());

        List<RecordBatch> cleaned = readAll(log);
        assertEquals(
                List.of(2L, 3L),
                cleaned.stream().map(RecordBatch::baseOffset).toList(),
                "the producer's earlier batch goes, its last stays");
        RecordBatch empty = cleaned.get(0);
        empty.validate();
        assertEquals(0, empty.recordCount());
        assertEquals(2, empty.lastOffset());
        assertEquals(77, empty.producerId());
        assertEquals(3, empty.producerEpoch());
        assertEquals(2, empty.baseSequence());
        assertEquals(4, empty.partitionLeaderEpoch());
        log.close();
        LogDirs.deleteSnapshots(root.resolve("t-0"));

        Log reopened = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        try {
            LogAppendInfo retry = reopened.appendAsLeader(producerBatch(77, 3, 2, "c"), 5);
            assertTrue(retry.duplicate(), "the producer's state, rebuilt from the cleaned log, still knows the batch");
            assertEquals(2, retry.firstOffset());
        } finally {
            reopened.close();
        }
    }

    private ByteBuffer producerBatch(long producerId, int epoch, int firstSeq, String... keys) {
        RecordBatchBuilder builder =
                RecordBatchBuilder.create(CompressionType.NONE).producer(producerId, (short) epoch, firstSeq);
        for (String key : keys) {
            builder.append(clock.millis(), CompactedLogs.utf8(key), CompactedLogs.utf8("1"));
        }
        return builder.build();
    }

    @Test
    void tombstonesStayForDeleteRetentionThenGo() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        append(log, kv("a", "1"), kv("b", "1"));
        append(log, kv("a", null));
        log.roll();
        log.flush();
        log.clean(0, log.logEndOffset(), bigMap());
        assertEquals(Arrays.asList("b", "a"), keys(readAll(log)));

        clock.advance(120_000);
        append(log, kv("c", "1"));
        log.roll();
        log.flush();
        log.clean(0, log.logEndOffset(), bigMap());
        assertEquals(List.of("b", "c"), keys(readAll(log)));
        log.close();
    }

    @Test
    void recordsWithoutAKeyAreDroppedAndCountedAsKafkasCleanerDoes() throws Exception {
        // Written before the topic was altered to compact: the produce path refuses them since.
        Log log = Log.open(
                root.resolve("t-0"),
                CONFIG.toBuilder().cleanupPolicy(CleanupPolicy.DELETE).build(),
                0,
                clock,
                scheduler);
        append(log, kv(null, "no key"), kv("a", "1"));
        append(log, kv(null, "no key either"));
        log.updateConfig(CONFIG);
        log.roll();
        log.flush();

        CleanResult result = log.clean(0, log.logEndOffset(), bigMap());

        assertEquals(2, result.keylessDropped());
        List<Record> records = records(readAll(log));
        assertEquals(1, records.size());
        assertTrue(records.get(0).hasKey());
        log.close();
    }

    @Test
    void aFullMapCleansAPrefixAndTheNextPassTheRest() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 6; k++) {
                append(log, kv("k" + k, "v" + round));
            }
            log.roll();
        }
        log.flush();
        OffsetMap twoKeys = new OffsetMap(24 * 3, 0.9);
        long cleanPoint = 0;
        int passes = 0;
        while (cleanPoint < 18) {
            CleanResult result = log.clean(cleanPoint, log.logEndOffset(), twoKeys);
            assertTrue(result.cleanOffset() > cleanPoint, "a pass makes progress");
            cleanPoint = result.cleanOffset();
            passes++;
        }
        assertTrue(passes > 1);
        List<Record> records = records(readAll(log));
        assertEquals(6, records.size());
        records.forEach(r -> assertEquals("v2", CompactedLogs.string(r.valueBytes())));
        log.close();
    }

    @Test
    void retentionDeletesNothingUnderCompactAloneAndOldSegmentsUnderCompactDelete() throws Exception {
        LogConfig compact = CONFIG.toBuilder().retentionMs(1000).build();
        Log log = Log.open(root.resolve("t-0"), compact, 0, clock, scheduler);
        append(log, kv("a", "1"));
        log.roll();
        append(log, kv("b", "1"));
        log.updateHighWatermark(log.logEndOffset());
        clock.advance(10_000);
        assertEquals(0, log.deleteSegmentsByRetention());
        assertEquals(0, log.logStartOffset());

        log.updateConfig(
                compact.toBuilder().cleanupPolicy(CleanupPolicy.COMPACT_DELETE).build());
        assertEquals(2, log.deleteSegmentsByRetention());
        assertEquals(2, log.logStartOffset());
        log.close();
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsDirty() throws Exception {
        Log log = Log.open(
                root.resolve("t-0"),
                CONFIG.toBuilder().minCompactionLagMs(10_000).build(),
                0,
                clock,
                scheduler);
        append(log, kv("a", "1"));
        append(log, kv("a", "2"));
        log.roll();
        clock.advance(5_000);
        append(log, kv("a", "3"));
        log.roll();
        append(log, kv("a", "4"));
        log.flush();

        assertEquals(0, log.clean(0, log.logEndOffset(), bigMap()).segmentsCleaned());
        clock.advance(6_000); // the first segment is now 11 s old, the second 6 s
        CleanResult result = log.clean(0, log.logEndOffset(), bigMap());
        assertEquals(1, result.segmentsCleaned());
        assertEquals(2, result.cleanOffset());
        assertEquals(
                List.of(1L, 2L, 3L),
                records(readAll(log)).stream().map(Record::offset).toList());
        log.close();
    }

    @Test
    void aFollowerCopiesACompactedLeaderGapsIncludedAndRecoversIt() throws Exception {
        Log leader = Log.open(root.resolve("leader"), CONFIG, 0, clock, scheduler);
        leader.assignEpochStartOffset(3);
        for (int i = 0; i < 10; i++) {
            leader.appendAsLeader(keyed(CompressionType.NONE, clock.millis(), List.of(kv("k" + (i % 3), "v" + i))), 3);
        }
        leader.roll();
        leader.flush();
        leader.clean(0, leader.logEndOffset(), bigMap());
        List<RecordBatch> leaderBatches = readAll(leader);

        Log follower = Log.open(root.resolve("follower"), CONFIG, 0, clock, scheduler);
        long offset = 0;
        while (offset < leader.logEndOffset()) {
            LogReadResult fetched = leader.read(offset, 100, Long.MAX_VALUE);
            ByteBuffer copy = ByteBuffer.allocateDirect(fetched.records().remaining());
            copy.put(fetched.records().duplicate()).flip();
            fetched.lease().release();
            LogAppendInfo info = follower.appendAsFollower(copy);
            offset = info.lastOffset() + 1;
        }
        assertEquals(leader.logEndOffset(), follower.logEndOffset());
        assertEquals(
                leaderBatches.stream()
                        .map(TestBatches::bytes)
                        .map(Arrays::toString)
                        .toList(),
                readAll(follower).stream()
                        .map(TestBatches::bytes)
                        .map(Arrays::toString)
                        .toList());
        follower.close();
        // Recovery of the gaps the follower wrote into its active segment.
        Files.delete(root.resolve("follower").resolve("clean-shutdown"));
        Log reopened = Log.open(root.resolve("follower"), CONFIG, 0, clock, scheduler);
        assertEquals(0, reopened.recoveryResult().bytesTruncated());
        assertEquals(leader.logEndOffset(), reopened.logEndOffset());
        reopened.close();
        leader.close();
    }

    @Test
    void aLogWithoutCompactionRefusesToBeCleaned() {
        Log log = Log.open(root.resolve("t-0"), LogConfig.defaults(), 0, clock, scheduler);
        assertThrows(IllegalStateException.class, () -> log.clean(0, log.logEndOffset(), bigMap()));
        log.close();
        assertEquals(CleanupPolicy.COMPACT_DELETE, CleanupPolicy.parse("delete, compact"));
        assertThrows(IllegalArgumentException.class, () -> CleanupPolicy.parse("compacted"));
    }

    // Crash tests: each leaves the files of one step of the swap and reopens.

    /** The old log (three sealed segments and an active one) in t-0, and its cleaned twin in t-1. */
    private List<Long> writeOldAndCleanedTwin() throws Exception {
        Log log = Log.open(root.resolve("t-0"), CONFIG, 0, clock, scheduler);
        for (int round = 0; round < 3; round++) {
            append(log, kv("a", "v" + round), kv("b", "v" + round));
            append(log, kv("c" + round, "v"));
            log.roll();
        }
        append(log, kv("a", "active"));
        List<Long> bases = log.segmentBaseOffsets();
        log.close();
        LogDirs.copy(root.resolve("t-0"), root.resolve("t-1"));
        Log twin = Log.open(root.resolve("t-1"), CONFIG, 0, clock, scheduler);
        twin.flush();
        assertEquals(3, twin.clean(0, twin.logEndOffset(), bigMap()).segmentsCleaned());
        assertEquals(2, twin.segmentCount());
        twin.close();
        return bases;
    }

    private Path dir(int i) {
        return root.resolve("t-" + i);
    }

    private static String name(long base, String suffix) {
        return String.format("%020d", base) + suffix;
    }

    private Map<String, String> reopenAndRead(Path dir) throws Exception {
        Files.deleteIfExists(dir.resolve("clean-shutdown"));
        Log log = Log.open(dir, CONFIG, 0, clock, scheduler);
        try {
            List<Record> records = records(readAll(log));
            long previous = -1;
            for (Record record : records) {
                assertTrue(record.offset() > previous);
                previous = record.offset();
            }
            return latestWithCount(records);
        } finally {
            log.close();
        }
    }

    /** Latest values, and each key's record count, so that a mix (duplicates) is told apart. */
    private static Map<String, String> latestWithCount(List<Record> records) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Record record : records) {
            String key = CompactedLogs.string(record.keyBytes());
            out.merge(key + "#count", "1", (x, y) -> String.valueOf(Integer.parseInt(x) + 1));
            out.put(key, CompactedLogs.string(record.valueBytes()));
        }
        return out;
    }

    @Test
    void aCrashBeforeTheSwapFileLeavesTheOldSegments() throws Exception {
        List<Long> bases = writeOldAndCleanedTwin();
        Map<String, String> old = reopenAndRead(copy(dir(0), "old"));
        Path crashed = dir(0);
        Files.copy(dir(1).resolve(name(0, ".log")), crashed.resolve(name(0, ".log.cleaned")));

        assertEquals(old, reopenAndRead(crashed));
        assertFalse(Files.exists(crashed.resolve(name(0, ".log.cleaned"))));
        assertEquals(4, bases.size());
    }

    @Test
    void aCrashAfterTheSwapFileWasWrittenCompletesTheSwap() throws Exception {
        List<Long> bases = writeOldAndCleanedTwin();
        Map<String, String> cleaned = reopenAndRead(copy(dir(1), "cleaned"));
        long end = bases.get(3);
        Path crashed = dir(0);
        Files.copy(dir(1).resolve(name(0, ".log")), crashed.resolve(String.format("%020d-%020d.swap", 0, end)));

        assertEquals(cleaned, reopenAndRead(crashed));
        assertEquals(List.of(name(0, ".log"), name(end, ".log")), logFiles(crashed));
    }

    @Test
    void aCrashWhileTheOldSegmentsWereRenamedCompletesTheSwap() throws Exception {
        List<Long> bases = writeOldAndCleanedTwin();
        Map<String, String> cleaned = reopenAndRead(copy(dir(1), "cleaned"));
        long end = bases.get(3);
        Path crashed = dir(0);
        Files.copy(dir(1).resolve(name(0, ".log")), crashed.resolve(String.format("%020d-%020d.swap", 0, end)));
        // The first two old segments were already renamed .deleted, the third not yet.
        for (long base : bases.subList(0, 2)) {
            for (String suffix : List.of(".log", ".index", ".timeindex")) {
                Files.move(crashed.resolve(name(base, suffix)), crashed.resolve(name(base, suffix + ".deleted")));
            }
        }

        assertEquals(cleaned, reopenAndRead(crashed));
        assertEquals(List.of(name(0, ".log"), name(end, ".log")), logFiles(crashed));
    }

    @Test
    void aCrashAfterTheSwapWasRenamedInPlaceKeepsTheNewSegments() throws Exception {
        List<Long> bases = writeOldAndCleanedTwin();
        Map<String, String> cleaned = reopenAndRead(copy(dir(1), "cleaned"));
        Path crashed = dir(0);
        for (long base : bases.subList(0, 3)) {
            for (String suffix : List.of(".log", ".index", ".timeindex")) {
                Files.move(crashed.resolve(name(base, suffix)), crashed.resolve(name(base, suffix + ".deleted")));
            }
        }
        Files.copy(dir(1).resolve(name(0, ".log")), crashed.resolve(name(0, ".log")));

        assertEquals(cleaned, reopenAndRead(crashed));
    }

    private static List<String> logFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".log"))
                    .sorted()
                    .toList();
        }
    }

    private Path copy(Path dir, String name) throws IOException {
        Path target = root.resolve(name);
        LogDirs.copy(dir, target);
        return target;
    }

    private static List<String> keys(List<RecordBatch> batches) {
        List<String> keys = new ArrayList<>();
        for (Record record : records(batches)) {
            keys.add(CompactedLogs.string(record.keyBytes()));
        }
        return keys;
    }
}
