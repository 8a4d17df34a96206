package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.bytes;
import static io.ferry.storage.TestBatches.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Log log;

    @AfterEach
    void tearDown() {
        if (log != null) {
            log.close();
        }
        scheduler.shutdownNow();
    }

    private Log open(LogConfig config) {
        log = Log.open(dir, config, 0, clock, scheduler);
        return log;
    }

    private static LogConfig.Builder small() {
        return LogConfig.builder()
                .segmentBytes(1024)
                .indexIntervalBytes(100)
                .segmentIndexBytes(1024)
                .fileDeleteDelayMs(0);
    }

    private LogAppendInfo append(long timestamp, int records) throws LogAppendException {
        return log.appendAsLeader(batch(timestamp, records, 20), 3);
    }

    private List<RecordBatch> readAll(long from) throws OffsetOutOfRangeException {
        return batches(log.read(from, Integer.MAX_VALUE, Long.MAX_VALUE).records());
    }

    @Test
    void leaderAppendAssignsConsecutiveOffsetsAndStampsTheEpoch() throws Exception {
        open(LogConfig.defaults());
        LogAppendInfo info = log.appendAsLeader(concat(List.of(batch(10, 2, 5), batch(30, 3, 5), batch(20, 1, 5))), 7);

        assertEquals(0, info.firstOffset());
        assertEquals(5, info.lastOffset());
        assertEquals(30, info.maxTimestamp());
        assertEquals(-1, info.logAppendTimeMs(), "a CreateTime log stamps no append time");
        assertEquals(6, info.recordCount());
        assertEquals(6, log.logEndOffset());
        List<RecordBatch> read = readAll(0);
        assertEquals(
                List.of(0L, 2L, 5L), read.stream().map(RecordBatch::baseOffset).toList());
        assertTrue(read.stream().allMatch(b -> b.partitionLeaderEpoch() == 7));
        assertEquals(6, log.appendAsLeader(batch(40, 1, 5), 7).firstOffset());
    }

    @Test
    void readStartsAtTheBatchHoldingTheOffsetAndIsAViewOfTheMappedFile() throws Exception {
        open(small().build());
        for (int i = 0; i < 20; i++) {
            append(i, 2);
        }
        for (long offset = 0; offset < 40; offset++) {
            LogReadResult result = log.read(offset, 1, Long.MAX_VALUE);
            List<RecordBatch> read = batches(result.records());
            assertEquals(1, read.size(), "one batch when maxBytes is smaller than a batch");
            assertEquals(offset - offset % 2, read.get(0).baseOffset());
            assertTrue(result.records().isDirect(), "not copied onto the heap");
            assertTrue(result.records().isReadOnly());
        }
    }

    @Test
    void readStopsAtMaxBytesAndBeforeMaxOffset() throws Exception {
        open(LogConfig.defaults());
        int size = batch(0, 2, 20).remaining();
        for (int i = 0; i < 10; i++) {
            append(i, 2);
        }
        assertEquals(
                3,
                batches(log.read(0, 3 * size + size - 1, Long.MAX_VALUE).records())
                        .size());
        assertEquals(2, batches(log.read(0, Integer.MAX_VALUE, 5).records()).size(), "batch 4-5 reaches offset 5");
        assertEquals(3, batches(log.read(0, Integer.MAX_VALUE, 6).records()).size());
        assertTrue(log.read(0, Integer.MAX_VALUE, 1).isEmpty(), "the first batch already reaches offset 1");
    }

    @Test
    void readOutsideTheLogIsOutOfRangeAndAtTheEndIsEmpty() throws Exception {
        open(small().build());
        for (int i = 0; i < 30; i++) {
            append(i, 1);
        }
        log.updateHighWatermark(30);
        LogConfig config = small().retentionBytes(0).build();
        log.close();
        log = Log.open(dir, config, 0, clock, scheduler);
        log.updateHighWatermark(30);
        assertTrue(log.deleteSegmentsByRetention() > 0);
        long start = log.logStartOffset();
        assertTrue(start > 0);

        OffsetOutOfRangeException below =
                assertThrows(OffsetOutOfRangeException.class, () -> log.read(start - 1, 100, Long.MAX_VALUE));
        assertEquals(start, below.logStartOffset());
        assertEquals(30, below.logEndOffset());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(31, 100, Long.MAX_VALUE));
        LogReadResult atEnd = log.read(30, 100, Long.MAX_VALUE);
        assertTrue(atEnd.isEmpty());
        assertEquals(30, atEnd.logEndOffset());
    }

    @Test
    void rollsBySizeIntoSegmentsNamedByTheirBaseOffset() throws Exception {
        open(small().build());
        int batchSize = batch(0, 1, 20).remaining();
        for (int i = 0; i < 50; i++) {
            append(i, 1);
        }
        int perSegment = 1024 / batchSize;
        assertEquals((50 + perSegment - 1) / perSegment, log.segmentCount());
        assertEquals(perSegment, log.segmentBaseOffsets().get(1));
        assertTrue(Files.exists(dir.resolve(String.format("%020d.log", perSegment))));
        assertTrue(Files.exists(dir.resolve(String.format("%020d.index", perSegment))));
        assertTrue(Files.exists(dir.resolve(String.format("%020d.timeindex", perSegment))));
        assertEquals(50, readAllFromEachOffset());
    }

    /** Reads batch after batch from the log start; one read returns batches of one segment only. */
    private List<RecordBatch> readEverything() throws OffsetOutOfRangeException {
        List<RecordBatch> all = new java.util.ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<RecordBatch> read = readAll(offset);
            all.addAll(read);
            offset = read.get(read.size() - 1).nextOffset();
        }
        return all;
    }

    private int readAllFromEachOffset() throws OffsetOutOfRangeException {
        int count = 0;
        for (long offset = log.logStartOffset(); offset < log.logEndOffset(); offset++) {
            assertEquals(offset, log.read(offset, 1, Long.MAX_VALUE).records().getLong(0));
            count++;
        }
        return count;
    }

    @Test
    void rollsByTime() throws Exception {
        open(small().segmentBytes(1 << 20).segmentMs(1000).build());
        append(clock.millis(), 1);
        clock.advance(999);
        append(clock.millis(), 1);
        assertEquals(1, log.segmentCount());
        clock.advance(1);
        append(clock.millis(), 1);
        assertEquals(List.of(0L, 2L), log.segmentBaseOffsets());
    }

    @Test
    void aFullIndexRollsTheSegment() throws Exception {
        open(small().segmentBytes(1 << 20)
                .indexIntervalBytes(0)
                .segmentIndexBytes(24)
                .build());
        for (int i = 0; i < 10; i++) {
            append(i, 1);
        }
        assertTrue(log.segmentCount() >= 4, "a 24-byte index holds 3 offset entries, 1 time entry + the final one");
        assertEquals(10, readAllFromEachOffset());
    }

    @Test
    void anUpdatedConfigGovernsTheNextAppendsAndRolls() throws Exception {
        open(small().build());
        append(0, 10);
        log.updateConfig(small().maxMessageBytes(200).build());
        assertEquals(
                LogAppendException.Reason.BATCH_TOO_LARGE,
                assertThrows(LogAppendException.class, () -> append(1, 10)).reason());
        assertEquals(1, log.segmentCount());
        log.updateConfig(small().segmentBytes(400).build());
        for (int i = 1; i < 4; i++) {
            append(i, 10);
        }
        assertTrue(log.segmentCount() >= 3, "segments rolled at the new, smaller size: " + log.segmentCount());
        assertEquals(small().segmentBytes(400).build(), log.config());
    }

    @Test
    void refusesBatchesLargerThanMaxMessageBytesOrASegment() throws Exception {
        open(small().maxMessageBytes(200).build());
        LogAppendException tooLarge = assertThrows(LogAppendException.class, () -> append(0, 10));
        assertEquals(LogAppendException.Reason.BATCH_TOO_LARGE, tooLarge.reason());
        log.close();
        open(small().segmentBytes(150).build());
        assertEquals(
                LogAppendException.Reason.BATCH_TOO_LARGE,
                assertThrows(LogAppendException.class, () -> append(0, 10)).reason());
        assertEquals(0, log.logEndOffset());
    }

    @Test
    void refusesCorruptAndEmptyAppendsWithoutWritingAnything() throws Exception {
        open(LogConfig.defaults());
        ByteBuffer good = batch(0, 2, 10);
        ByteBuffer bad = batch(1, 2, 10);
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) + 1));
        LogAppendException e =
                assertThrows(LogAppendException.class, () -> log.appendAsLeader(concat(List.of(good, bad)), 0));
        assertEquals(LogAppendException.Reason.CORRUPT_BATCH, e.reason());
        assertEquals(0, log.logEndOffset());
        assertEquals(
                LogAppendException.Reason.EMPTY,
                assertThrows(LogAppendException.class, () -> log.appendAsLeader(ByteBuffer.allocate(0), 0))
                        .reason());
        assertEquals(
                LogAppendException.Reason.CORRUPT_BATCH,
                assertThrows(
                                LogAppendException.class,
                                () -> log.appendAsLeader(good.duplicate().limit(30), 0))
                        .reason());
    }

    @Test
    void leaderAppendCopiesAReadOnlyBufferBeforePatchingIt() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(batch(0, 1, 1), 0);
        ByteBuffer original = batch(0, 1, 1);
        assertEquals(1, log.appendAsLeader(original.asReadOnlyBuffer(), 2).firstOffset());

        assertEquals(
                0, RecordBatch.wrap(original.duplicate()).baseOffset(), "the caller's read-only bytes are untouched");
        RecordBatch written = readAll(1).get(0);
        assertEquals(1, written.baseOffset());
        assertEquals(2, written.partitionLeaderEpoch());
    }

    @Test
    void leaderAppendPatchesAWritableDirectBufferInPlaceAndWritesIt() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(concat(List.of(batch(0, 2, 1), batch(0, 1, 1))), 0);
        ByteBuffer heap = concat(List.of(batch(5, 3, 8), batch(6, 2, 8)));
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining() + 7).position(7);
        direct.put(heap.duplicate()).position(7);

        LogAppendInfo info = log.appendAsLeader(direct, 4);

        assertEquals(3, info.firstOffset());
        assertEquals(7, info.lastOffset());
        // Patched in the caller's buffer: the log wrote these very bytes rather than a copy of them.
        List<RecordBatch> patched = batches(direct.duplicate());
        assertEquals(
                List.of(3L, 6L), patched.stream().map(RecordBatch::baseOffset).toList());
        assertTrue(patched.stream().allMatch(b -> b.partitionLeaderEpoch() == 4));
        List<RecordBatch> read = readAll(3);
        assertEquals(List.of(3L, 6L), read.stream().map(RecordBatch::baseOffset).toList());
        assertArrayEquals(
                bytes(direct.duplicate()),
                bytes(log.read(3, Integer.MAX_VALUE, Long.MAX_VALUE).records()));
    }

    @Test
    void followerKeepsTheLeadersOffsetsAndEpochsButMustBeContiguous() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(concat(List.of(batch(1, 2, 5), batch(2, 2, 5))), 4);
        log.appendAsLeader(batch(3, 2, 5), 5);
        ByteBuffer leaderBytes = ByteBuffer.wrap(
                bytes(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records()));
        log.close();

        Path followerDir = dir.resolve("follower");
        log = Log.open(followerDir, LogConfig.defaults(), 0, clock, scheduler);
        LogAppendInfo info = log.appendAsFollower(leaderBytes.duplicate());
        assertEquals(0, info.firstOffset());
        assertEquals(5, info.lastOffset());
        assertEquals(
                List.of(4, 4, 5),
                readAll(0).stream().map(RecordBatch::partitionLeaderEpoch).toList());

        LogAppendException overlap =
                assertThrows(LogAppendException.class, () -> log.appendAsFollower(leaderBytes.duplicate()));
        assertEquals(LogAppendException.Reason.NON_CONTIGUOUS_OFFSET, overlap.reason());
        // A gap is accepted: a compacted leader's log has them (as Kafka's follower accepts them).
        ByteBuffer skipping = batch(9, 1, 5);
        RecordBatch.wrap(skipping).setBaseOffset(7);
        RecordBatch.wrap(skipping).setPartitionLeaderEpoch(5);
        log.appendAsFollower(skipping);
        assertEquals(8, log.logEndOffset());
    }

    @Test
    void truncateToRemovesTheBatchHoldingTheTargetAndEverythingAfter() throws Exception {
        open(small().build());
        for (int i = 0; i < 40; i++) {
            append(i, 2);
        }
        int segmentsBefore = log.segmentCount();
        assertFalse(log.truncateTo(80));
        assertTrue(log.truncateTo(31));
        assertEquals(30, log.logEndOffset());
        assertTrue(log.segmentCount() < segmentsBefore);
        assertEquals(
                30, readEverything().stream().mapToInt(RecordBatch::recordCount).sum());
        assertEquals(30, append(100, 1).firstOffset());
        assertEquals(
                List.of(28L, 30L),
                readAll(28).stream().map(RecordBatch::baseOffset).toList());
    }

    @Test
    void truncatingAtTheLogEndForgetsAnEpochThatStartedThereWithoutRecords() throws Exception {
        open(small().build());
        append(10, 2);
        append(11, 2);
        // This replica led epoch 5 from offset 4 and appended nothing before another leader took over.
        log.assignEpochStartOffset(5);
        assertEquals(OptionalInt.of(5), log.latestEpoch());

        assertFalse(log.truncateTo(log.logEndOffset()), "no record goes");

        assertEquals(OptionalInt.of(3), log.latestEpoch(), "the empty epoch is not sent as the last fetched one");
        assertEquals(4, log.logEndOffset());
    }

    @Test
    void truncateToASegmentBaseOffsetKeepsItEmpty() throws Exception {
        open(small().build());
        for (int i = 0; i < 40; i++) {
            append(i, 1);
        }
        long secondBase = log.segmentBaseOffsets().get(1);
        log.truncateTo(secondBase);
        assertEquals(secondBase, log.logEndOffset());
        assertEquals(secondBase, append(5, 1).firstOffset());
        assertEquals(secondBase + 1, readAllFromEachOffset());
    }

    @Test
    void aSliceReadBeforeATruncationKeepsItsBytes() throws Exception {
        open(small().build());
        for (int i = 0; i < 5; i++) {
            append(i, 1);
        }
        ByteBuffer slice = log.read(2, Integer.MAX_VALUE, Long.MAX_VALUE).records();
        byte[] before = bytes(slice);
        log.truncateTo(1);
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(batch(1000 + i, 3, 40), 9);
        }
        assertArrayEquals(before, bytes(slice));
        assertEquals(3, batches(slice).size());
    }

    @Test
    void truncateFullyAndStartAtEmptiesTheLogAndMovesItsStart() throws Exception {
        open(small().build());
        for (int i = 0; i < 30; i++) {
            append(i, 1);
        }
        log.truncateFullyAndStartAt(100);
        assertEquals(100, log.logStartOffset());
        assertEquals(100, log.logEndOffset());
        assertEquals(1, log.segmentCount());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(50, 100, Long.MAX_VALUE));
        assertEquals(100, append(1, 1).firstOffset());
        log.truncateTo(20);
        assertEquals(20, log.logStartOffset());
        assertEquals(20, log.logEndOffset());
        assertEquals(
                List.of(Path.of(String.format("%020d.log", 20))),
                logFiles().stream().map(Path::getFileName).toList());
    }

    private List<Path> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordInsideABatch() throws Exception {
        open(small().build());
        for (CompressionType compression : List.of(CompressionType.NONE, CompressionType.LZ4)) {
            RecordBatchBuilder builder = RecordBatchBuilder.create(compression);
            long base = 5000 + log.logEndOffset() * 10;
            for (int i = 0; i < 5; i++) {
                builder.append(base + 10L * i, null, new byte[] {(byte) i});
            }
            log.appendAsLeader(builder.build(), 0);
        }
        // records 0..4 at 5000..5040, records 5..9 at 5050..5090 (lz4)
        assertEquals(OptionalLong.of(0), log.offsetForTimestamp(4000));
        assertEquals(OptionalLong.of(2), log.offsetForTimestamp(5020));
        assertEquals(OptionalLong.of(3), log.offsetForTimestamp(5021));
        assertEquals(OptionalLong.of(7), log.offsetForTimestamp(5070));
        assertEquals(OptionalLong.of(9), log.offsetForTimestamp(5090));
        assertEquals(OptionalLong.empty(), log.offsetForTimestamp(5091));
    }

    @Test
    void offsetForTimestampFindsTheFirstBatchReachingIt() throws Exception {
        open(small().indexIntervalBytes(0).build());
        for (int i = 0; i < 60; i++) {
            append(1000 + 10L * i, 1);
        }
        assertTrue(log.segmentCount() > 2);
        assertEquals(OptionalLong.of(0), log.offsetForTimestamp(0));
        assertEquals(OptionalLong.of(0), log.offsetForTimestamp(1000));
        assertEquals(OptionalLong.of(1), log.offsetForTimestamp(1001));
        assertEquals(OptionalLong.of(30), log.offsetForTimestamp(1300));
        assertEquals(OptionalLong.of(59), log.offsetForTimestamp(1590));
        assertEquals(OptionalLong.empty(), log.offsetForTimestamp(1591));
    }

    @Test
    void timeRetentionDeletesExpiredSegmentsBelowTheHighWatermark() throws Exception {
        open(small().retentionMs(10_000).build());
        for (int i = 0; i < 30; i++) {
            append(clock.millis(), 1);
            clock.advance(1000);
        }
        int segments = log.segmentCount();
        assertEquals(0, log.deleteSegmentsByRetention(), "nothing is below the high watermark");
        log.updateHighWatermark(30);
        int deleted = log.deleteSegmentsByRetention();
        assertTrue(deleted > 0);
        assertEquals(segments - deleted, log.segmentCount());
        long start = log.logStartOffset();
        assertEquals(log.segmentBaseOffsets().get(0), start);
        assertTrue(start > 0 && start <= 20, "records younger than 10 s stay, start " + start);
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(start - 1, 100, Long.MAX_VALUE));

        clock.advance(100_000);
        log.deleteSegmentsByRetention();
        assertEquals(30, log.logStartOffset(), "the expired active segment goes too, after a roll");
        assertEquals(30, log.logEndOffset());
        assertEquals(1, log.segmentCount());
        assertEquals(30, append(clock.millis(), 1).firstOffset());
    }

    @Test
    void theLogStartMovesInsideASegmentAndTakesOnlyTheSegmentsWhollyBelowIt() throws Exception {
        open(small().build());
        for (int i = 0; i < 30; i++) {
            append(clock.millis() + i, 1);
        }
        List<Long> bases = log.segmentBaseOffsets();
        assertTrue(bases.size() > 2, "several segments: " + bases);
        long inside = bases.get(1) + 1;
        assertThrows(IllegalArgumentException.class, () -> log.advanceLogStartOffset(31));

        assertTrue(log.advanceLogStartOffset(inside));
        assertEquals(inside, log.logStartOffset());
        assertEquals(
                bases.subList(1, bases.size()), log.segmentBaseOffsets(), "only the first segment was wholly below");
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(inside - 1, 100, Long.MAX_VALUE));
        assertEquals(inside, readAll(inside).get(0).baseOffset());
        assertEquals(OptionalLong.of(inside), log.offsetForTimestamp(0), "never below the start");
        assertTrue(log.highWatermark() >= inside);
        assertFalse(log.advanceLogStartOffset(inside - 1), "the start never moves back");

        assertTrue(log.advanceLogStartOffset(30));
        assertEquals(List.of(30L), log.segmentBaseOffsets(), "at the log end every old segment goes, after a roll");
        assertEquals(30, append(clock.millis(), 1).firstOffset());
    }

    @Test
    void sizeRetentionKeepsTheNewestSegmentsWithinTheLimit() throws Exception {
        open(small().retentionBytes(2048).build());
        for (int i = 0; i < 100; i++) {
            append(clock.millis(), 1);
        }
        log.updateHighWatermark(log.logEndOffset());
        long before = log.sizeInBytes();
        int deleted = log.deleteSegmentsByRetention();
        assertTrue(deleted > 0);
        assertTrue(log.sizeInBytes() <= 2048 + 1024, "within one segment of the limit: " + log.sizeInBytes());
        assertTrue(log.sizeInBytes() > 2048 - 1024 && log.sizeInBytes() < before);
        assertEquals(log.segmentBaseOffsets().get(0), log.logStartOffset());
        assertEquals(100 - log.logStartOffset(), readAllFromEachOffset());
    }

    @Test
    void deletedSegmentFilesAreRenamedAndRemovedAfterTheDelay() throws Exception {
        ManualScheduler manual = new ManualScheduler();
        log = Log.open(dir, small().retentionBytes(0).fileDeleteDelayMs(60_000).build(), 0, clock, manual);
        for (int i = 0; i < 30; i++) {
            append(clock.millis(), 1);
        }
        log.updateHighWatermark(30);
        log.deleteSegmentsByRetention();
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".log.deleted")));
        }
        manual.runAll();
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".deleted")));
        }
        assertEquals(60_000L, manual.lastDelayMs());
    }

    @Test
    void flushByMessageCountAdvancesTheRecoveryPoint() throws Exception {
        open(LogConfig.builder().flushIntervalMessages(3).build());
        assertTrue(append(0, 2).flushed().isDone(), "no flush asked for: nothing to wait for");
        assertEquals(0, log.recoveryPoint());
        append(0, 1).flushed().get(10, TimeUnit.SECONDS);
        assertEquals(3, log.recoveryPoint());
        assertTrue(append(0, 1).flushed().isDone());
        assertEquals(3, log.recoveryPoint());
    }

    @Test
    void flushIsOffByDefaultAndFlushMsIsCheckedAgainstTheClock() throws Exception {
        ManualScheduler direct = new ManualScheduler();
        log = Log.open(dir, LogConfig.builder().flushIntervalMs(5000).build(), 0, clock, direct);
        for (int i = 0; i < 100; i++) {
            append(0, 1);
        }
        log.flushIfDue();
        assertEquals(0, log.recoveryPoint());
        clock.advance(5000);
        log.flushIfDue();
        assertEquals(100, log.recoveryPoint(), "flushed on the flush executor, which runs it at once here");
        direct.shutdownNow();
    }

    @Test
    void aCleanCloseIsTrustedOnReopen() throws Exception {
        open(small().build());
        for (int i = 0; i < 30; i++) {
            append(i, 1);
        }
        log.close();
        assertTrue(Files.exists(dir.resolve("clean-shutdown")));
        log = Log.open(dir, small().build(), 0, clock, scheduler);
        assertFalse(Files.exists(dir.resolve("clean-shutdown")), "removed once opened");
        assertTrue(log.recoveryResult().cleanShutdown());
        assertEquals(0, log.recoveryResult().batchesValidated());
        assertEquals(30, log.logEndOffset());
        assertEquals(30, readAllFromEachOffset());
        assertEquals(30, append(1, 1).firstOffset());
    }

    @Test
    void theLeaderEpochHistoryFollowsAppendsTruncationAndRetention() throws Exception {
        open(small().retentionBytes(0).build());
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(i, 1, 20), 1);
        }
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(i, 1, 20), 3);
        }
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(3, 10)), log.epochEntries());
        assertEquals(new EpochEndOffset(1, 10), log.endOffsetForEpoch(2));
        assertEquals(new EpochEndOffset(3, 20), log.endOffsetForEpoch(3));

        log.truncateTo(12);
        assertEquals(new EpochEndOffset(3, 12), log.endOffsetForEpoch(3));
        log.truncateTo(10);
        assertEquals(List.of(new EpochEntry(1, 0)), log.epochEntries());
        assertEquals(java.util.OptionalInt.of(1), log.latestEpoch());

        log.appendAsLeader(batch(1, 1, 20), 4);
        log.updateHighWatermark(log.logEndOffset());
        log.deleteSegmentsByRetention();
        assertEquals(log.logStartOffset(), log.epochEntries().get(0).startOffset(), "history starts at the log start");

        log.truncateFullyAndStartAt(50);
        assertEquals(List.of(), log.epochEntries());
        log.appendAsLeader(batch(1, 1, 20), 6);
        assertEquals(List.of(new EpochEntry(6, 50)), log.epochEntries());
    }

    @Test
    void aNewLeaderRecordsItsEpochAtTheLogEndBeforeAppending() throws Exception {
        open(small().build());
        log.appendAsLeader(batch(1, 1, 20), 1);
        log.assignEpochStartOffset(2);
        log.assignEpochStartOffset(2);
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 1)), log.epochEntries());
        assertEquals(new EpochEndOffset(1, 1), log.endOffsetForEpoch(1));
        assertThrows(IllegalArgumentException.class, () -> log.assignEpochStartOffset(-1));
    }

    @Test
    void aNewEpochReachesTheCheckpointWithTheNextFlushAndACrashRecoversItFromTheBatches(@TempDir Path crashed)
            throws Exception {
        open(LogConfig.defaults()); // one segment: no roll starts a background flush
        log.appendAsLeader(batch(1, 1, 20), 1);
        log.flush();
        Path checkpoint = dir.resolve(LeaderEpochCache.CHECKPOINT_FILE_NAME);
        String flushed = Files.readString(checkpoint);
        log.assignEpochStartOffset(2);
        assertEquals(new EpochEndOffset(1, 1), log.endOffsetForEpoch(1), "answered from memory at once");
        log.appendAsLeader(batch(2, 1, 20), 2);
        ByteBuffer fromANewLeader = batch(3, 1, 20);
        RecordBatch.wrap(fromANewLeader).setBaseOffset(2);
        RecordBatch.wrap(fromANewLeader).setPartitionLeaderEpoch(5);
        log.appendAsFollower(fromANewLeader);
        assertEquals(flushed, Files.readString(checkpoint), "no file written by a leadership or an append");

        // What a kill -9 leaves: the files as they are now, without the clean close's flush.
        LogDirs.copy(dir, crashed);
        List<EpochEntry> history = List.of(new EpochEntry(1, 0), new EpochEntry(2, 1), new EpochEntry(5, 2));
        try (Log recovered = Log.open(crashed, LogConfig.defaults(), 1, clock, scheduler)) {
            assertEquals(3, recovered.logEndOffset(), "batches of epochs the checkpoint lacks are kept");
            assertEquals(history, recovered.epochEntries(), "their epochs are taken from the batches");
            recovered.flush();
            assertEquals(history, LeaderEpochCache.load(crashed).entries(), "and written by the next flush");
        }
        log.flush();
        assertEquals(history, LeaderEpochCache.load(dir).entries());
    }

    @Test
    void recoveryKeepsALeaderEpochRaisedByDamageAsKafkaDoesAndCutsALoweredOne() throws Exception {
        open(LogConfig.defaults());
        for (int i = 0; i < 3; i++) {
            log.appendAsLeader(batch(i, 1, 20), 4);
        }
        log.close();
        Path segment = dir.resolve(String.format("%020d.log", 0));
        int second = batch(0, 1, 20).remaining(); // where the second batch starts
        for (int damaged : new int[] {9, 2}) {
            Files.deleteIfExists(dir.resolve("clean-shutdown"));
            try (java.nio.channels.FileChannel file =
                    java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
                file.write(
                        ByteBuffer.allocate(4).putInt(0, damaged), second + RecordBatch.PARTITION_LEADER_EPOCH_OFFSET);
            }
            log = Log.open(dir, LogConfig.defaults(), 0, clock, scheduler);
            if (damaged > 4) {
                // The leader epoch is outside the CRC: the raised batch passes, the next one goes back in epoch.
                assertEquals(2, log.logEndOffset());
                assertEquals(List.of(new EpochEntry(4, 0), new EpochEntry(9, 1)), log.epochEntries());
            } else {
                assertEquals(1, log.logEndOffset(), "an epoch below the previous batch's is cut");
                assertEquals(List.of(new EpochEntry(4, 0)), log.epochEntries());
            }
            log.close();
        }
    }

    @Test
    void theEpochHistoryIsOnDiskBeforeTheRecoveryPointPassesItsBatches() throws Exception {
        open(small().build());
        log.assignEpochStartOffset(3);
        log.appendAsLeader(batch(1, 1, 20), 3);
        assertTrue(log.hasUnsyncedEpochChange(), "a new epoch costs no fsync on the thread that assigns it");
        log.flush();
        assertEquals(1, log.recoveryPoint());
        assertFalse(log.hasUnsyncedEpochChange());
        ByteBuffer fromANewLeader = batch(2, 1, 20);
        RecordBatch.wrap(fromANewLeader).setBaseOffset(1);
        RecordBatch.wrap(fromANewLeader).setPartitionLeaderEpoch(4);
        log.appendAsFollower(fromANewLeader);
        assertTrue(log.hasUnsyncedEpochChange(), "nor on a follower's fetcher thread");
        log.close();
        assertFalse(log.hasUnsyncedEpochChange(), "a clean close forces it too");
    }

    @Test
    void theEpochHistorySurvivesReopenAndIsCutToTheRecoveredLog() throws Exception {
        open(small().build());
        log.appendAsLeader(batch(1, 1, 20), 2);
        log.appendAsLeader(batch(2, 1, 20), 5);
        log.close();
        log = Log.open(dir, small().build(), 0, clock, scheduler);
        assertEquals(List.of(new EpochEntry(2, 0), new EpochEntry(5, 1)), log.epochEntries());
        // The last batch is lost (cut as if torn): its epoch leaves the history on the next open.
        log.close();
        Files.delete(dir.resolve("clean-shutdown"));
        Path segment = dir.resolve(String.format("%020d.log", 0));
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(file.length() - 1);
        }
        log = Log.open(dir, small().build(), 0, clock, scheduler);
        assertEquals(1, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(2, 0)), log.epochEntries());
    }

    @Test
    void followerAppendsRecordEachNewEpoch() throws Exception {
        open(LogConfig.defaults());
        ByteBuffer first = batch(1, 2, 5);
        RecordBatch.wrap(first).setPartitionLeaderEpoch(7);
        ByteBuffer second = batch(2, 2, 5);
        RecordBatch.wrap(second).setBaseOffset(2);
        RecordBatch.wrap(second).setPartitionLeaderEpoch(9);
        log.appendAsFollower(concat(List.of(first, second)));
        assertEquals(List.of(new EpochEntry(7, 0), new EpochEntry(9, 2)), log.epochEntries());
    }

    @Test
    void deleteRemovesTheDirectoryButNotTheBytesAReaderHolds() throws Exception {
        Path logDir = dir.resolve("t-0");
        log = Log.open(logDir, small().build(), 0, clock, scheduler);
        append(1, 3);
        ByteBuffer slice = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records();
        byte[] before = bytes(slice);
        log.delete();
        assertFalse(Files.exists(logDir));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the renamed directory is gone too");
        }
        assertArrayEquals(before, bytes(slice));
        log = null;
    }

    @Test
    void leaderEpochsNeverGoBackwards() throws Exception {
        open(LogConfig.defaults());
        log.appendAsLeader(batch(1, 1, 5), 5);
        LogAppendException stale = assertThrows(LogAppendException.class, () -> log.appendAsLeader(batch(2, 1, 5), 4));
        assertEquals(LogAppendException.Reason.INVALID_LEADER_EPOCH, stale.reason());
        assertThrows(IllegalArgumentException.class, () -> log.appendAsLeader(batch(2, 1, 5), -1));

        ByteBuffer older = batch(3, 1, 5);
        RecordBatch.wrap(older).setBaseOffset(1);
        RecordBatch.wrap(older).setPartitionLeaderEpoch(3);
        assertEquals(
                LogAppendException.Reason.INVALID_LEADER_EPOCH,
                assertThrows(LogAppendException.class, () -> log.appendAsFollower(older))
                        .reason());
        ByteBuffer unstamped = batch(3, 1, 5);
        RecordBatch.wrap(unstamped).setBaseOffset(1);
        assertEquals(
                LogAppendException.Reason.INVALID_LEADER_EPOCH,
                assertThrows(LogAppendException.class, () -> log.appendAsFollower(unstamped))
                        .reason());
        assertEquals(1, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(5, 0)), log.epochEntries());
    }
}
