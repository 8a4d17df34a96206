package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RecordBatchBuilder#rewriting} writes the same bytes as Kafka 4's {@code MemoryRecords.filterTo}
 * (its log cleaner's rewrite) keeping the same records: offsets, last offset delta, leader epoch, codec,
 * producer id, epoch and base sequence kept.
 */
class RewriteKafkaInteropTest {

    /** Keeps keyed records with a value at odd positions: no tombstone, so Kafka sets no delete horizon. */
    private static boolean kept(int index, Record record) {
        return index % 2 == 1 && record.hasKey() && record.hasValue();
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void aRewriteIsByteForByteKafkasFilteredBatch(CompressionType type) throws Exception {
        RecordBatchBuilder builder = RecordBatchBuilder.create(type).producer(4242L, (short) 7, 100);
        for (TestRecord record : KafkaInteropTest.mixedRecords(40, 80, 3)) {
            builder.append(record.timestamp(), record.key(), record.value(), record.headers());
        }
        ByteBuffer original = builder.build();
        RecordBatch batch = RecordBatch.wrap(original);
        batch.setBaseOffset(5000);
        batch.setPartitionLeaderEpoch(9);

        RecordBatchBuilder rewrite = RecordBatchBuilder.rewriting(batch);
        List<Long> keptOffsets = new ArrayList<>();
        RecordIterator records = batch.records();
        for (int i = 0; records.hasNext(); i++) {
            Record record = records.next();
            if (kept(i, record)) {
                rewrite.appendKept(record);
                keptOffsets.add(record.offset());
            }
        }
        ByteBuffer ferry = rewrite.build();

        ByteBuffer kafka = ByteBuffer.allocate(original.remaining() * 2 + 1024);
        MemoryRecords.readableRecords(original.duplicate())
                .filterTo(
                        new MemoryRecords.RecordFilter(0, 0) {
                            @Override
                            protected BatchRetentionResult checkBatchRetention(
                                    org.apache.kafka.common.record.internal.RecordBatch b) {
                                return new BatchRetentionResult(BatchRetention.DELETE_EMPTY, false);
                            }

                            @Override
                            protected boolean shouldRetainRecord(
                                    org.apache.kafka.common.record.internal.RecordBatch b,
                                    org.apache.kafka.common.record.internal.Record r) {
                                return keptOffsets.contains(r.offset());
                            }
                        },
                        kafka,
                        BufferSupplier.NO_CACHING,
                        Integer.MAX_VALUE);
        kafka.flip();

        RecordBatch rewritten = BatchScanner.of(ferry.duplicate()).next();
        assertEquals(5000, rewritten.baseOffset());
        assertEquals(5039, rewritten.lastOffset());
        assertEquals(9, rewritten.partitionLeaderEpoch());
        assertEquals(4242L, rewritten.producerId());
        assertEquals(7, rewritten.producerEpoch());
        assertEquals(100, rewritten.baseSequence());
        assertEquals(keptOffsets.size(), rewritten.recordCount());
        assertArrayEquals(bytes(kafka), bytes(ferry));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE")
    void aRecordFromOutsideTheOriginalIsRefused(CompressionType type) throws Exception {
        RecordBatch batch = RecordBatch.wrap(RecordBatchBuilder.create(type)
                .append(1L, new byte[] {1}, new byte[] {2})
                .build());
        Record record = batch.records().next();
        batch.setBaseOffset(10);
        RecordBatchBuilder rewrite = RecordBatchBuilder.rewriting(batch);
        assertThrows(IllegalArgumentException.class, () -> rewrite.appendKept(record));
        assertThrows(
                IllegalStateException.class,
                () -> RecordBatchBuilder.create(type).appendKept(record));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
