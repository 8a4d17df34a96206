package io.ferry.storage;

import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.ferry.record.TimestampType;
import io.ferry.record.testing.Batches;
import io.ferry.record.testing.PoisonBatches;
import io.ferry.record.testing.PoisonBatches.Poison;
import io.ferry.storage.LogAppendException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A leader refuses every batch a consumer could not read, even when its framing and CRC are valid: each
 * poison batch below carries a correct CRC, so before record validation it was stored, replicated and
 * then stopped every consumer of the partition.
 */
class ProducedBatchValidationTest {

    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(NOW);
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

    private static ByteBuffer good(CompressionType type, long timestamp, int count) {
        return PoisonBatches.good(type, timestamp, count);
    }

    static List<Poison> poison() {
        return PoisonBatches.all(NOW);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void poisonBatchWithAValidCrcIsRefusedAndNothingIsAppended(Poison poison) throws Exception {
        RecordBatch.wrap(poison.bytes().duplicate()).validate(); // framing and CRC are fine: only the records lie
        open(LogConfig.defaults());
        log.appendAsLeader(good(CompressionType.NONE, NOW, 2), 1);

        ByteBuffer request = concat(List.of(good(CompressionType.NONE, NOW, 1), poison.bytes()));
        LogAppendException e = assertThrows(LogAppendException.class, () -> log.appendAsLeader(request, 1));

        assertEquals(Reason.valueOf(poison.error()), e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(poison.detail()), e.getMessage());
        assertTrue(e.getMessage().contains("batch 1 (bytes "), "names the batch: " + e.getMessage());
        assertEquals(2, log.logEndOffset(), "the valid batch before it was not appended either");
        assertEquals(
                2, log.appendAsLeader(good(CompressionType.NONE, NOW, 1), 1).lastOffset(), "the log goes on");
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void producersBatchesOfEveryCodecAreAccepted(CompressionType type) throws Exception {
        open(LogConfig.defaults());
        LogAppendInfo info = log.appendAsLeader(good(type, NOW - 5_000, 50), 1);
        assertEquals(49, info.lastOffset());
        assertEquals(-1, info.logAppendTimeMs());
        assertEquals(50, readRecords().size());
    }

    @Test
    void aCompactedTopicRefusesARecordWithoutAKeyAndNamesIt() throws Exception {
        open(LogConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build());
        for (CompressionType codec : List.of(CompressionType.NONE, CompressionType.LZ4)) {
            ByteBuffer mixed = CompactedLogs.keyed(
                    codec,
                    NOW,
                    List.of(
                            new CompactedLogs.KeyValue("k", "v"),
                            new CompactedLogs.KeyValue(null, "keyless"),
                            new CompactedLogs.KeyValue("k2", null)));
            LogAppendException e = assertThrows(LogAppendException.class, () -> log.appendAsLeader(mixed, 1));
            assertEquals(LogAppendException.Reason.INVALID_RECORD, e.reason());
            assertTrue(e.getMessage().contains("record 1 has no key"), e.getMessage());
            assertTrue(e.getMessage().contains("cleanup.policy=compact"), e.getMessage());
        }
        assertEquals(0, log.logEndOffset());
        // Keyed records and tombstones are what a compacted topic holds.
        log.appendAsLeader(
                CompactedLogs.keyed(
                        CompressionType.NONE,
                        NOW,
                        List.of(new CompactedLogs.KeyValue("k", "v"), new CompactedLogs.KeyValue("k", null))),
                1);
        assertEquals(2, log.logEndOffset());
        // What the cleaner needs: the same keyless batch is fine once the topic no longer compacts.
        log.updateConfig(LogConfig.defaults());
        log.appendAsLeader(
                CompactedLogs.keyed(CompressionType.NONE, NOW, List.of(new CompactedLogs.KeyValue(null, "v"))), 1);
        assertEquals(3, log.logEndOffset());
    }

    @Test
    void timestampsAreCheckedAgainstTheTopicsBounds() throws Exception {
        open(LogConfig.builder()
                .timestampBeforeMaxMs(60_000)
                .timestampAfterMaxMs(1_000)
                .build());
        assertThrows(
                LogAppendException.class, () -> log.appendAsLeader(good(CompressionType.NONE, NOW - 60_001, 1), 1));
        assertThrows(LogAppendException.class, () -> log.appendAsLeader(good(CompressionType.ZSTD, NOW + 1_001, 1), 1));
        log.appendAsLeader(good(CompressionType.NONE, NOW - 60_000, 1), 1);
        log.appendAsLeader(good(CompressionType.ZSTD, NOW + 1_000, 1), 1);
        log.appendAsLeader(
                good(CompressionType.NONE, RecordBatch.NO_TIMESTAMP, 1), 1); // no timestamp: nothing to check
        assertEquals(3, log.logEndOffset());
    }

    @Test
    void logAppendTimeStampsTheLeadersClockAndKeepsTheCrcValid() throws Exception {
        open(LogConfig.builder().timestampType(TimestampType.LOG_APPEND_TIME).build());
        // A producer's clock far off does not matter: the leader's replaces it.
        LogAppendInfo info = log.appendAsLeader(good(CompressionType.LZ4, 12, 3), 1);

        assertEquals(NOW, info.logAppendTimeMs());
        RecordBatch stored = batches(
                        log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records())
                .get(0);
        stored.validateRecords();
        assertEquals(TimestampType.LOG_APPEND_TIME, stored.timestampType());
        assertEquals(NOW, stored.maxTimestamp());
        assertTrue(readRecords().stream().allMatch(r -> r.timestamp() == NOW));
    }

    @Test
    void aMaxTimestampThatDisagreesWithTheRecordsIsCorrectedAsKafkaDoes() throws Exception {
        open(LogConfig.defaults());
        ByteBuffer batch = Batches.copy(good(CompressionType.NONE, NOW - 10, 2));
        batch.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, NOW + 3_000_000); // would pin the segment against retention
        Batches.reseal(batch);

        log.appendAsLeader(batch, 1);

        RecordBatch stored = batches(
                        log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records())
                .get(0);
        stored.validate();
        assertEquals(NOW - 10, stored.maxTimestamp());
    }

    @Test
    void followersTrustTheLeadersRecordValidation() throws Exception {
        open(LogConfig.defaults());
        // What a leader stored before record validation existed still replicates: followers check framing and CRC.
        ByteBuffer old =
                Batches.withSection(CompressionType.NONE, 4, 3, Batches.section(good(CompressionType.NONE, NOW, 3)));
        RecordBatch view = RecordBatch.wrap(old);
        view.setPartitionLeaderEpoch(1);
        log.appendAsFollower(old);
        assertEquals(4, log.logEndOffset());
    }

    private List<Record> readRecords() throws Exception {
        List<Record> records = new java.util.ArrayList<>();
        for (RecordBatch batch :
                batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records())) {
            RecordIterator it = batch.records();
            while (it.hasNext()) {
                records.add(it.next());
            }
        }
        return records;
    }
}
