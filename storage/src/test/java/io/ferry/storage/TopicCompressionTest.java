package io.ferry.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import io.ferry.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compression.type}: a leader stores every batch in the topic's codec, converting a producer's batch in
 * another one with its records, timestamps and producer fields intact (Kafka's LogValidator); {@code producer}
 * keeps the producer's codec; a batch already in the codec is stored byte for byte.
 */
class TopicCompressionTest {

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

    private static ByteBuffer batch(CompressionType codec, long producerId, int baseSequence) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(codec);
        if (producerId >= 0) {
            builder.producer(producerId, (short) 3, baseSequence);
        }
        for (int i = 0; i < 20; i++) {
            builder.append(
                    NOW - 1_000 + i,
                    ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    i == 7 ? null : ("value-" + i).repeat(10).getBytes(StandardCharsets.UTF_8),
                    List.of(new Header("h", ("v" + i).getBytes(StandardCharsets.UTF_8))));
        }
        ByteBuffer built = builder.build();
        ByteBuffer direct = ByteBuffer.allocateDirect(built.remaining());
        return direct.put(built).flip();
    }

    private RecordBatch storedBatch(long offset) throws Exception {
        LogReadResult read = log.read(offset, 1 << 20, Long.MAX_VALUE);
        return RecordBatch.wrap(read.records().duplicate());
    }

    private static List<Record> records(RecordBatch batch) throws Exception {
        List<Record> records = new ArrayList<>();
        RecordIterator it = batch.records();
        while (it.hasNext()) {
            records.add(it.next());
        }
        return records;
    }

    @Test
    void anUncompressedIdempotentBatchIsStoredInTheTopicsCodecWithEverythingElseKept() throws Exception {
        open(LogConfig.builder().compression(Optional.of(CompressionType.LZ4)).build());
        ByteBuffer sent = batch(CompressionType.NONE, 42, 0);
        RecordBatch original = RecordBatch.wrap(sent.duplicate());
        List<Record> originalRecords = records(original);

        log.appendAsLeader(sent, 5);

        RecordBatch stored = storedBatch(0);
        stored.validate();
        assertEquals(CompressionType.LZ4, stored.compression());
        assertEquals(20, stored.recordCount());
        assertEquals(42, stored.producerId());
        assertEquals(3, stored.producerEpoch());
        assertEquals(0, stored.baseSequence());
        assertEquals(5, stored.partitionLeaderEpoch());
        assertEquals(original.maxTimestamp(), stored.maxTimestamp());
        List<Record> storedRecords = records(stored);
        for (int i = 0; i < 20; i++) {
            Record expected = originalRecords.get(i);
            Record actual = storedRecords.get(i);
            assertEquals(i, actual.offset());
            assertEquals(expected.timestamp(), actual.timestamp());
            assertArrayEquals(expected.keyBytes(), actual.keyBytes());
            assertArrayEquals(expected.valueBytes(), actual.valueBytes());
            assertEquals(
                    expected.headers().get(0).key(), actual.headers().get(0).key());
        }
        // The producer's next batch follows on in sequence: its state was kept through the conversion.
        log.appendAsLeader(batch(CompressionType.NONE, 42, 20), 5);
        assertEquals(40, log.logEndOffset());
    }

    @Test
    void aBatchAlreadyInTheCodecIsStoredByteForByteAndProducerKeepsEveryCodec() throws Exception {
        open(LogConfig.builder().compression(Optional.of(CompressionType.ZSTD)).build());
        ByteBuffer zstd = batch(CompressionType.ZSTD, -1, -1);
        ByteBuffer expected = zstd.duplicate();
        log.appendAsLeader(zstd, 0);
        RecordBatch stored = storedBatch(0);
        assertEquals(CompressionType.ZSTD, stored.compression());
        assertEquals(expected.remaining(), stored.sizeInBytes());
        assertEquals(RecordBatch.wrap(expected).checksum(), stored.checksum());
        log.close();
        log = null;

        open(LogConfig.builder().build()); // compression.type=producer, the default
        log.appendAsLeader(batch(CompressionType.GZIP, -1, -1), 0);
        assertEquals(CompressionType.GZIP, storedBatch(20).compression());
    }

    @Test
    void aLogAppendTimeTopicKeepsTheLeadersStampThroughTheConversion() throws Exception {
        open(LogConfig.builder()
                .timestampType(TimestampType.LOG_APPEND_TIME)
                .compression(Optional.of(CompressionType.NONE))
                .build());
        log.appendAsLeader(batch(CompressionType.SNAPPY, -1, -1), 0);
        RecordBatch stored = storedBatch(0);
        assertEquals(CompressionType.NONE, stored.compression());
        assertEquals(TimestampType.LOG_APPEND_TIME, stored.timestampType());
        assertEquals(NOW, stored.maxTimestamp());
        stored.validate();
    }
}
