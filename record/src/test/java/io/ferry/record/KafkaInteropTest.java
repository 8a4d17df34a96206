package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ferry and Kafka 4.4's clients read each other's batches, for every codec. */
class KafkaInteropTest {

    /** Keys, null keys, null values, empty values, headers (null value, non-ASCII key), varied timestamps. */
    static List<TestRecord> mixedRecords(int count, int valueSize, long seed) {
        Random random = new Random(seed);
        List<TestRecord> records = new ArrayList<>();
        long timestamp = 1_700_000_000_000L;
        for (int i = 0; i < count; i++) {
            timestamp += random.nextInt(2000) - 500; // deltas of both signs
            byte[] key = i % 5 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
            byte[] value;
            if (i % 7 == 3) {
                value = null;
            } else if (i % 11 == 4) {
                value = new byte[0];
            } else {
                value = new byte[random.nextInt(valueSize + 1)];
                // Half compressible text, half random bytes: exercises both compressed and stored blocks.
                for (int b = 0; b < value.length; b++) {
                    value[b] = b % 2 == 0 ? (byte) ('a' + (b / 2) % 26) : (byte) random.nextInt();
                }
            }
            List<Header> headers = switch (i % 4) {
                case 0 -> List.of();
                case 1 -> List.of(new Header("trace", ("t" + i).getBytes(StandardCharsets.UTF_8)));
                case 2 -> List.of(new Header("null-value", null), new Header("ключ-ü", new byte[] {1, 2, 3}));
                default -> List.of(new Header("", new byte[0]));
            };
            records.add(new TestRecord(timestamp, key, value, headers));
        }
        return records;
    }

    /** Over 64 KiB uncompressed, so lz4 writes several blocks and snappy several chunks. */
    static List<TestRecord> largeRecords() {
        return mixedRecords(400, 2000, 42);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void ferryReadsWhatKafkaWrites(CompressionType type) throws Exception {
        for (List<TestRecord> records : List.of(mixedRecords(1, 10, 1), mixedRecords(57, 100, 2), largeRecords())) {
            ByteBuffer kafkaBatch = TestRecord.buildWithKafka(type, records, 1234L);

            RecordBatch batch = BatchScanner.of(kafkaBatch).next();
            assertEquals(type, batch.compression());
            assertEquals(1234L, batch.baseOffset());
            assertEquals(1234L + records.size() - 1, batch.lastOffset());
            assertEquals(records.size(), batch.recordCount());
            assertEquals(records.stream().mapToLong(TestRecord::timestamp).max().orElseThrow(), batch.maxTimestamp());
            assertEquals(TestRecord.expected(records, 1234L), TestRecord.readWithFerry(kafkaBatch));
            assertEquals(TestRecord.readWithKafka(kafkaBatch), TestRecord.readWithFerry(kafkaBatch));
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaReadsWhatFerryWrites(CompressionType type) throws Exception {
        for (List<TestRecord> records : List.of(mixedRecords(1, 10, 3), mixedRecords(57, 100, 4), largeRecords())) {
            ByteBuffer ferryBatch = TestRecord.buildWithFerry(type, records);
            assertEquals(TestRecord.expected(records, 0L), TestRecord.readWithKafka(ferryBatch));
            MutableRecordBatch kafkaView = MemoryRecords.readableRecords(ferryBatch.duplicate())
                    .batches()
                    .iterator()
                    .next();
            assertEquals(type.id, kafkaView.compressionType().id);
            assertEquals(records.size(), kafkaView.countOrNull());
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void ferryWritesTheSameBytesAsKafka(CompressionType type) {
        for (List<TestRecord> records : List.of(mixedRecords(1, 10, 5), mixedRecords(57, 100, 6), largeRecords())) {
            ByteBuffer kafkaBatch = TestRecord.buildWithKafka(type, records, 0L);
            ByteBuffer ferryBatch = TestRecord.buildWithFerry(type, records);
            assertEquals(kafkaBatch, ferryBatch, type + " batch of " + records.size() + " records differs");
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void logAppendTimeBatchesReportTheBrokerTimestamp(CompressionType type) throws Exception {
        List<TestRecord> records = mixedRecords(20, 50, 7);
        ByteBuffer kafkaBatch =
                TestRecord.buildWithKafka(type, records, 0L, TimestampType.LOG_APPEND_TIME, 1_800_000_000_000L);
        RecordBatch batch = BatchScanner.of(kafkaBatch).next();
        assertTrue(batch.isLogAppendTime());
        RecordIterator iterator = batch.records();
        while (iterator.hasNext()) {
            assertEquals(1_800_000_000_000L, iterator.next().timestamp());
        }
        assertEquals(TestRecord.readWithKafka(kafkaBatch), TestRecord.readWithFerry(kafkaBatch));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void producerFieldsAndFlagsMatchKafka(CompressionType type) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                buffer,
                RecordBatch.MAGIC,
                TestRecord.kafkaCompression(type),
                TimestampType.CREATE_TIME,
                500L,
                RecordBatch.NO_TIMESTAMP,
                77L,
                (short) 3,
                1000,
                true,
                9);
        builder.append(10L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        builder.append(20L, (byte[]) null, "w".getBytes(StandardCharsets.UTF_8));
        ByteBuffer kafkaBatch = builder.build().buffer();

        RecordBatch batch = BatchScanner.of(kafkaBatch).next();
        assertEquals(77L, batch.producerId());
        assertEquals(3, batch.producerEpoch());
        assertEquals(1000, batch.baseSequence());
        assertEquals(9, batch.partitionLeaderEpoch());
        assertTrue(batch.isTransactional());
        assertFalse(batch.isControl());
        assertFalse(batch.isLogAppendTime());
        assertEquals(10L, batch.baseTimestamp());

        ByteBuffer ferryBatch = RecordBatchBuilder.create(type)
                .producer(77L, (short) 3, 1000)
                .append(10L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8))
                .build();
        MutableRecordBatch kafkaView =
                MemoryRecords.readableRecords(ferryBatch).batches().iterator().next();
        kafkaView.ensureValid();
        assertEquals(77L, kafkaView.producerId());
        assertEquals(3, kafkaView.producerEpoch());
        assertEquals(1000, kafkaView.baseSequence());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void patchedOffsetsAndEpochKeepTheBatchValidForKafka(CompressionType type) throws Exception {
        ByteBuffer ferryBatch = TestRecord.buildWithFerry(type, mixedRecords(5, 20, 8));
        RecordBatch batch = RecordBatch.wrap(ferryBatch);
        batch.setBaseOffset(9_000_000_000L);
        batch.setPartitionLeaderEpoch(12);
        batch.validate();

        MutableRecordBatch kafkaView =
                MemoryRecords.readableRecords(ferryBatch).batches().iterator().next();
        kafkaView.ensureValid();
        assertEquals(9_000_000_000L, kafkaView.baseOffset());
        assertEquals(9_000_000_004L, kafkaView.lastOffset());
        assertEquals(12, kafkaView.partitionLeaderEpoch());
        assertEquals(TestRecord.readWithKafka(ferryBatch), TestRecord.readWithFerry(ferryBatch));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void recordViewsExposeKeyValueAndHeaders(CompressionType type) throws Exception {
        ByteBuffer batch = RecordBatchBuilder.create(type)
                .append(5L, null, "value".getBytes(StandardCharsets.UTF_8), List.of(new Header("h", null)))
                .append(6L, "key".getBytes(StandardCharsets.UTF_8), null)
                .build();
        RecordIterator records = RecordBatch.wrap(batch).records();
        Record first = records.next();
        assertFalse(first.hasKey());
        assertNull(first.key());
        assertEquals(-1, first.keySize());
        assertArrayEquals("value".getBytes(StandardCharsets.UTF_8), first.valueBytes());
        assertEquals(List.of(new Header("h", null)), first.headers());
        assertTrue(first.value().isReadOnly());
        Record second = records.next();
        assertEquals(1L, second.offset());
        assertEquals(6L, second.timestamp());
        assertArrayEquals("key".getBytes(StandardCharsets.UTF_8), second.keyBytes());
        assertFalse(second.hasValue());
        assertEquals(-1, second.valueSize());
        assertFalse(records.hasNext());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void readsBatchesHeldInDirectBuffers(CompressionType type) throws Exception {
        ByteBuffer heap = TestRecord.buildWithKafka(type, mixedRecords(30, 200, 9), 0L);
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining())
                .put(heap.duplicate())
                .flip();
        assertEquals(TestRecord.readWithFerry(heap), TestRecord.readWithFerry(direct));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void readsKafkasConcatenatedBatches(CompressionType type) throws Exception {
        List<TestRecord> first = mixedRecords(3, 30, 10);
        List<TestRecord> second = mixedRecords(4, 30, 11);
        ByteBuffer a = TestRecord.buildWithKafka(type, first, 0L);
        ByteBuffer b = TestRecord.buildWithKafka(type, second, 3L);
        ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining())
                .put(a.duplicate())
                .put(b.duplicate())
                .flip();
        List<TestRecord.Read> expected = new ArrayList<>(TestRecord.expected(first, 0L));
        expected.addAll(TestRecord.expected(second, 3L));
        assertEquals(expected, TestRecord.readWithFerry(both));
        assertEquals(Compression.NONE.type().id, CompressionType.NONE.id);
    }
}
