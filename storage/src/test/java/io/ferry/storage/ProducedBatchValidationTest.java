package io.ferry.storage;

import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import io.ferry.record.TimestampType;
import io.ferry.record.testing.Batches;
import io.ferry.record.testing.Batches.RawSection;
import io.ferry.storage.LogAppendException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A leader refuses every batch a consumer could not read, even when its framing and CRC are valid: each
 * poison batch below carries a correct CRC, so before record validation it was stored, replicated and
 * then stopped every consumer of the partition.
 */
class ProducedBatchValidationTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] V = "value".getBytes(StandardCharsets.UTF_8);

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

    /** A producer's batch of {@code count} records stamped {@code timestamp}. */
    private static ByteBuffer good(CompressionType type, long timestamp, int count) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(type);
        for (int i = 0; i < count; i++) {
            builder.append(timestamp, K, ("value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    /** {@code batch} with {@code field} (a header offset) overwritten and the CRC made right again. */
    private static ByteBuffer forgedInt(ByteBuffer batch, int field, int value) {
        ByteBuffer copy = Batches.copy(batch);
        copy.putInt(field, value);
        return Batches.reseal(copy);
    }

    private static ByteBuffer forgedAttributes(ByteBuffer batch, int attributes) {
        ByteBuffer copy = Batches.copy(batch);
        copy.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) attributes);
        return Batches.reseal(copy);
    }

    private static byte[] body(java.util.function.UnaryOperator<RawSection> fields) {
        byte[] raw = fields.apply(new RawSection().bytes((byte) 0).varlong(0).varint(0)).toByteArray();
        return new RawSection().varint(raw.length).bytes(raw).toByteArray();
    }

    static Stream<Arguments> poison() {
        ByteBuffer three = good(CompressionType.NONE, NOW, 3);
        byte[] oneRecord = new RawSection().record(0, K, V).toByteArray();
        return Stream.of(
                Arguments.of("count above the records present", Reason.INVALID_RECORD, "declares 4 records",
                        Batches.withSection(CompressionType.NONE, 4, 3, Batches.section(three))),
                Arguments.of("count below the records present", Reason.INVALID_RECORD, "bytes follow the last",
                        Batches.withSection(CompressionType.NONE, 2, 1, Batches.section(three))),
                Arguments.of("negative key length", Reason.INVALID_RECORD, "key length -5",
                        Batches.withSection(CompressionType.NONE, 1, 0, body(r -> r.varint(-5).field(V).varint(0)))),
                Arguments.of("value length overrunning the record", Reason.INVALID_RECORD, "value length 500",
                        Batches.withSection(CompressionType.NONE, 1, 0, body(r -> r.field(K).varint(500).bytes(V).varint(0)))),
                Arguments.of("record length overrunning the batch", Reason.INVALID_RECORD, "record length 1000",
                        Batches.withSection(CompressionType.NONE, 1, 0, new RawSection().varint(1000).bytes(V).toByteArray())),
                Arguments.of("negative header key length", Reason.INVALID_RECORD, "header 0 key length -3",
                        Batches.withSection(CompressionType.NONE, 1, 0, body(r -> r.field(K).field(V).varint(1).varint(-3).field(V)))),
                Arguments.of("lz4 flag on uncompressed records", Reason.INVALID_RECORD, "lz4",
                        Batches.withSection(CompressionType.LZ4, 1, 0, oneRecord)),
                Arguments.of("gzip flag on uncompressed records", Reason.INVALID_RECORD, "gzip",
                        Batches.withSection(CompressionType.GZIP, 1, 0, oneRecord)),
                Arguments.of("zstd flag on uncompressed records", Reason.INVALID_RECORD, "zstd",
                        Batches.withSection(CompressionType.ZSTD, 1, 0, oneRecord)),
                Arguments.of("snappy flag on uncompressed records", Reason.INVALID_RECORD, "snappy",
                        Batches.withSection(CompressionType.SNAPPY, 1, 0, oneRecord)),
                Arguments.of("compressed records that lie about their count", Reason.INVALID_RECORD, "declares 5 records",
                        forgedInt(forgedInt(good(CompressionType.LZ4, NOW, 3), RecordBatch.RECORD_COUNT_OFFSET, 5),
                                RecordBatch.LAST_OFFSET_DELTA_OFFSET, 4)),
                Arguments.of("transactional bit", Reason.INVALID_RECORD, "transactional",
                        forgedAttributes(three, RecordBatch.TRANSACTIONAL_MASK)),
                Arguments.of("control bit", Reason.INVALID_RECORD, "control",
                        forgedAttributes(three, RecordBatch.CONTROL_MASK)),
                Arguments.of("delete-horizon bit", Reason.INVALID_RECORD, "delete horizon",
                        forgedAttributes(three, RecordBatch.DELETE_HORIZON_MASK)),
                Arguments.of("undefined attribute bit", Reason.INVALID_RECORD, "undefined",
                        forgedAttributes(three, 0x100)),
                Arguments.of("last offset delta beyond the records", Reason.INVALID_RECORD, "last offset delta 99",
                        forgedInt(good(CompressionType.NONE, NOW, 1), RecordBatch.LAST_OFFSET_DELTA_OFFSET, 99)),
                Arguments.of("no records at all", Reason.INVALID_RECORD, "record count 0",
                        Batches.withSection(CompressionType.NONE, 0, 0, new byte[0])),
                Arguments.of("record offset deltas out of order", Reason.INVALID_RECORD, "offset delta 0",
                        Batches.withSection(CompressionType.NONE, 2, 1,
                                new RawSection().record(1, K, V).record(0, K, V).toByteArray())),
                Arguments.of("producer id without a sequence", Reason.INVALID_RECORD, "base sequence -1",
                        forgedInt(Batches.copy(three).putLong(RecordBatch.PRODUCER_ID_OFFSET, 42L),
                                RecordBatch.BASE_SEQUENCE_OFFSET, -1)),
                Arguments.of("producer id below -1", Reason.INVALID_RECORD, "producer id -7",
                        Batches.reseal(Batches.copy(three).putLong(RecordBatch.PRODUCER_ID_OFFSET, -7L))),
                Arguments.of("LogAppendTime set by a producer", Reason.INVALID_TIMESTAMP, "marked LogAppendTime",
                        forgedAttributes(three, RecordBatch.TIMESTAMP_TYPE_MASK)),
                Arguments.of("timestamp over an hour ahead", Reason.INVALID_TIMESTAMP, "outside",
                        good(CompressionType.NONE, NOW + 3_600_001L, 2)),
                Arguments.of("negative timestamp", Reason.INVALID_TIMESTAMP, "-5",
                        Batches.reseal(Batches.copy(good(CompressionType.NONE, NOW, 1))
                                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, -5L))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void poisonBatchWithAValidCrcIsRefusedAndNothingIsAppended(String name, Reason reason, String detail,
                                                              ByteBuffer poison) throws Exception {
        RecordBatch.wrap(poison.duplicate()).validate(); // framing and CRC are fine: only the records lie
        open(LogConfig.defaults());
        log.appendAsLeader(good(CompressionType.NONE, NOW, 2), 1);

        ByteBuffer request = concat(List.of(good(CompressionType.NONE, NOW, 1), poison));
        LogAppendException e = assertThrows(LogAppendException.class, () -> log.appendAsLeader(request, 1));

        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
        assertTrue(e.getMessage().contains("batch 1 (bytes "), "names the batch: " + e.getMessage());
        assertEquals(2, log.logEndOffset(), "the valid batch before it was not appended either");
        assertEquals(2, log.appendAsLeader(good(CompressionType.NONE, NOW, 1), 1).lastOffset(), "the log goes on");
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
    void timestampsAreCheckedAgainstTheTopicsBounds() throws Exception {
        open(LogConfig.builder().timestampBeforeMaxMs(60_000).timestampAfterMaxMs(1_000).build());
        assertThrows(LogAppendException.class, () -> log.appendAsLeader(good(CompressionType.NONE, NOW - 60_001, 1), 1));
        assertThrows(LogAppendException.class, () -> log.appendAsLeader(good(CompressionType.ZSTD, NOW + 1_001, 1), 1));
        log.appendAsLeader(good(CompressionType.NONE, NOW - 60_000, 1), 1);
        log.appendAsLeader(good(CompressionType.ZSTD, NOW + 1_000, 1), 1);
        log.appendAsLeader(good(CompressionType.NONE, RecordBatch.NO_TIMESTAMP, 1), 1); // no timestamp: nothing to check
        assertEquals(3, log.logEndOffset());
    }

    @Test
    void logAppendTimeStampsTheLeadersClockAndKeepsTheCrcValid() throws Exception {
        open(LogConfig.builder().timestampType(TimestampType.LOG_APPEND_TIME).build());
        // A producer's clock far off does not matter: the leader's replaces it.
        LogAppendInfo info = log.appendAsLeader(good(CompressionType.LZ4, 12, 3), 1);

        assertEquals(NOW, info.logAppendTimeMs());
        RecordBatch stored = batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records()).get(0);
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

        RecordBatch stored = batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records()).get(0);
        stored.validate();
        assertEquals(NOW - 10, stored.maxTimestamp());
    }

    @Test
    void followersTrustTheLeadersRecordValidation() throws Exception {
        open(LogConfig.defaults());
        // What a leader stored before record validation existed still replicates: followers check framing and CRC.
        ByteBuffer old = Batches.withSection(CompressionType.NONE, 4, 3, Batches.section(good(CompressionType.NONE, NOW, 3)));
        RecordBatch view = RecordBatch.wrap(old);
        view.setPartitionLeaderEpoch(1);
        log.appendAsFollower(old);
        assertEquals(4, log.logEndOffset());
    }

    private List<Record> readRecords() throws Exception {
        List<Record> records = new java.util.ArrayList<>();
        for (RecordBatch batch : batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records())) {
            RecordIterator it = batch.records();
            while (it.hasNext()) {
                records.add(it.next());
            }
        }
        return records;
    }
}
