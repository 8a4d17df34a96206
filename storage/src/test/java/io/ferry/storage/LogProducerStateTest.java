package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.producerBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.internal.ProducerStateEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent producers through the log: retries, restarts, followers, truncation, retention. */
class LogProducerStateTest {

    private static final int LEADER_EPOCH = 2;
    private static final long PRODUCER = 77L;
    private static final LogConfig CONFIG = LogConfig.builder()
            .segmentBytes(1024)
            .indexIntervalBytes(100)
            .segmentIndexBytes(1024)
            .fileDeleteDelayMs(0)
            .build();

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Log> opened = new ArrayList<>();

    @AfterEach
    void tearDown() {
        opened.forEach(Log::close);
        scheduler.shutdownNow();
    }

    private Log open(String name) {
        return open(name, CONFIG);
    }

    private Log open(String name, LogConfig config) {
        Log log = Log.open(root.resolve(name), config, 0, clock, scheduler);
        opened.add(log);
        return log;
    }

    private void close(Log log) {
        log.close();
        opened.remove(log);
    }

    private ByteBuffer sequenceBatch(int firstSeq, int records) {
        return producerBatch(PRODUCER, 0, firstSeq, records, clock.millis());
    }

    /** Appends {@code count} batches of 3 records, sequences 0, 3, 6, ...; rolls every 4 batches. */
    private List<LogAppendInfo> produce(Log log, int count) throws LogAppendException {
        List<LogAppendInfo> appended = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            appended.add(log.appendAsLeader(sequenceBatch(3 * i, 3), LEADER_EPOCH));
            log.appendAsLeader(batch(clock.millis(), 2, 10), LEADER_EPOCH);
            if (i % 4 == 3) {
                log.roll();
            }
        }
        return appended;
    }

    private static void assertDuplicate(Log log, ByteBuffer retry, LogAppendInfo original) throws LogAppendException {
        long end = log.logEndOffset();
        LogAppendInfo answer = log.appendAsLeader(retry, LEADER_EPOCH);
        assertTrue(answer.duplicate(), "a retry is answered as a duplicate");
        assertEquals(original.firstOffset(), answer.firstOffset());
        assertEquals(original.lastOffset(), answer.lastOffset());
        assertEquals(0, answer.recordCount());
        assertEquals(end, log.logEndOffset(), "nothing appended");
    }

    private static List<Path> snapshots(Log log) throws IOException {
        return LogDirs.snapshots(log.dir());
    }

    @Test
    void aRetryAppendsNothingAndAnswersTheOriginalOffsets() throws Exception {
        Log log = open("log");
        List<LogAppendInfo> appended = produce(log, 6);

        for (int i = 1; i < 6; i++) {
            assertDuplicate(log, sequenceBatch(3 * i, 3), appended.get(i));
        }
        LogAppendException gap =
                assertThrows(LogAppendException.class, () -> log.appendAsLeader(sequenceBatch(19, 1), LEADER_EPOCH));
        assertEquals(LogAppendException.Reason.OUT_OF_ORDER_SEQUENCE, gap.reason());
        LogAppendInfo next = log.appendAsLeader(sequenceBatch(18, 1), LEADER_EPOCH);
        assertFalse(next.duplicate());
        assertEquals(1, next.recordCount());
    }

    @Test
    void plainBatchesAreNeverDuplicates() throws Exception {
        Log log = open("log");
        ByteBuffer plain = batch(clock.millis(), 2, 10);
        log.appendAsLeader(plain.duplicate(), LEADER_EPOCH);
        LogAppendInfo again = log.appendAsLeader(plain.duplicate(), LEADER_EPOCH);

        assertFalse(again.duplicate());
        assertEquals(4, log.logEndOffset());
        assertEquals(0, log.producerIdCount());
    }

    @Test
    void aRetryIsRecognisedAfterAReopenFromTheSnapshotAndFromTheLogAlone() throws Exception {
        Log log = open("log");
        List<LogAppendInfo> appended = produce(log, 10);
        Map<Long, ProducerStateEntry> before = log.producerStates();
        close(log);
        Path dir = root.resolve("log");
        assertTrue(
                Files.exists(dir.resolve(
                        String.format("%020d.snapshot", appended.get(9).lastOffset() + 3))),
                "close snapshots the state at the log end");

        Log reopened = open("log");
        assertEquals(before, reopened.producerStates());
        assertDuplicate(reopened, sequenceBatch(27, 3), appended.get(9));
        close(reopened);

        LogDirs.deleteSnapshots(reopened.dir());
        Log rebuilt = open("log");
        assertEquals(before, rebuilt.producerStates(), "replaying the whole log gives the same state");
        assertDuplicate(rebuilt, sequenceBatch(24, 3), appended.get(8));
    }

    @Test
    void aCrashReplaysOnlyTheBatchesAfterTheLastRollsSnapshot() throws Exception {
        Log log = open("live");
        List<LogAppendInfo> appended = produce(log, 10);
        Map<Long, ProducerStateEntry> before = log.producerStates();
        LogDirs.copy(log.dir(), root.resolve("image"));

        Log recovered = open("image");
        assertFalse(recovered.recoveryResult().cleanShutdown());
        assertEquals(before, recovered.producerStates());
        assertDuplicate(recovered, sequenceBatch(27, 3), appended.get(9));
    }

    @Test
    void aCorruptSnapshotIsIgnored() throws Exception {
        Log log = open("log");
        List<LogAppendInfo> appended = produce(log, 10);
        Map<Long, ProducerStateEntry> before = log.producerStates();
        close(log);
        List<Path> snapshots = snapshots(log);
        Path latest = snapshots.get(snapshots.size() - 1);
        byte[] bytes = Files.readAllBytes(latest);
        bytes[bytes.length - 3] ^= 0x5a;
        Files.write(latest, bytes);

        Log reopened = open("log");
        assertEquals(before, reopened.producerStates());
        assertFalse(Files.exists(latest), "the corrupt snapshot is deleted");
        assertDuplicate(reopened, sequenceBatch(27, 3), appended.get(9));
    }

    @Test
    void aFollowerBuildsTheStateSoThatOncePromotedItRecognisesARetry() throws Exception {
        Log leader = open("leader");
        List<LogAppendInfo> appended = produce(leader, 6);
        Log follower = open("follower");
        follower.appendAsFollower(
                leader.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records());
        while (follower.logEndOffset() < leader.logEndOffset()) {
            follower.appendAsFollower(leader.read(follower.logEndOffset(), Integer.MAX_VALUE, Long.MAX_VALUE)
                    .records());
        }

        assertEquals(leader.producerStates(), follower.producerStates());
        follower.assignEpochStartOffset(LEADER_EPOCH + 1);
        long end = follower.logEndOffset();
        LogAppendInfo answer = follower.appendAsLeader(sequenceBatch(15, 3), LEADER_EPOCH + 1);
        assertTrue(answer.duplicate());
        assertEquals(appended.get(5).firstOffset(), answer.firstOffset());
        assertEquals(end, follower.logEndOffset());
    }

    @Test
    void truncationForgetsTheBatchesItRemoves() throws Exception {
        Log log = open("log");
        List<LogAppendInfo> appended = produce(log, 10);
        Map<Long, ProducerStateEntry> atSix = stateAfter(6);

        log.truncateTo(appended.get(6).firstOffset());

        assertEquals(atSix, log.producerStates());
        assertTrue(snapshots(log).stream().allMatch(s -> offsetOf(s) <= log.logEndOffset()), "none above the end");
        LogAppendInfo again = log.appendAsLeader(sequenceBatch(18, 3), LEADER_EPOCH);
        assertFalse(again.duplicate(), "the removed batch is appended again");
        assertEquals(appended.get(6).firstOffset(), again.firstOffset());
        assertDuplicate(log, sequenceBatch(15, 3), appended.get(5));
    }

    /** The state of a log that got only the first {@code batches} batches of {@link #produce}. */
    private Map<Long, ProducerStateEntry> stateAfter(int batches) throws LogAppendException {
        Log reference = open("reference-" + batches);
        produce(reference, batches);
        return reference.producerStates();
    }

    private static long offsetOf(Path snapshot) {
        return Long.parseLong(snapshot.getFileName().toString().substring(0, 20));
    }

    @Test
    void emptyingTheLogForgetsEveryProducer() throws Exception {
        Log log = open("log");
        produce(log, 6);

        log.truncateFullyAndStartAt(500);

        assertEquals(0, log.producerIdCount());
        assertEquals(List.of(), snapshots(log));
        assertFalse(log.appendAsLeader(sequenceBatch(3, 3), LEADER_EPOCH).duplicate());
    }

    @Test
    void retentionDeletesTheSnapshotsOfDeletedSegmentsAndKeepsTheProducers() throws Exception {
        Log log = open("log", CONFIG.toBuilder().retentionBytes(1).build());
        List<LogAppendInfo> appended = produce(log, 12);
        Map<Long, ProducerStateEntry> before = log.producerStates();
        log.updateHighWatermark(log.logEndOffset());

        assertTrue(log.deleteSegmentsByRetention() > 0);

        assertEquals(before, log.producerStates());
        assertTrue(snapshots(log).stream().allMatch(s -> offsetOf(s) >= log.logStartOffset()));
        assertDuplicate(log, sequenceBatch(33, 3), appended.get(11));
        close(log);
        Log reopened = open("log");
        assertEquals(before, reopened.producerStates());
    }

    @Test
    void snapshotsAreFew() throws Exception {
        Log log = open("log");
        produce(log, 40);

        assertTrue(snapshots(log).size() <= 3, snapshots(log).toString());
    }

    @Test
    void idleProducersExpireAndANewProducerIdBeyondTheLimitIsRefused() throws Exception {
        Log log = open(
                "log",
                CONFIG.toBuilder()
                        .maxProducerIds(2)
                        .producerIdExpirationMs(60_000)
                        .build());
        log.appendAsLeader(producerBatch(1, 0, 0, 1, clock.millis()), LEADER_EPOCH);
        log.appendAsLeader(producerBatch(2, 0, 0, 1, clock.millis()), LEADER_EPOCH);

        LogAppendException refused = assertThrows(
                LogAppendException.class,
                () -> log.appendAsLeader(producerBatch(3, 0, 0, 1, clock.millis()), LEADER_EPOCH));
        assertEquals(LogAppendException.Reason.TOO_MANY_PRODUCER_IDS, refused.reason());
        assertEquals(0, log.removeExpiredProducers());
        clock.advance(60_000);
        assertEquals(2, log.removeExpiredProducers());
        log.appendAsLeader(producerBatch(3, 0, 0, 1, clock.millis()), LEADER_EPOCH);
        assertEquals(1, log.producerIdCount());
    }
}
