package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.ferry.record.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The empty batch the cleaner keeps for a producer's last sequence is the one Kafka's cleaner writes. */
class EmptyBatchKafkaInteropTest {

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void anEmptyCopyIsByteForByteKafkasRetainedEmptyBatch(CompressionType codec) throws Exception {
        ByteBuffer original = MemoryRecords.withIdempotentRecords(
                        700L,
                        Compression.of(codec).build(),
                        4242L,
                        (short) 7,
                        100,
                        9,
                        new SimpleRecord(1_000L, bytes("a"), bytes("1")),
                        new SimpleRecord(3_000L, bytes("b"), bytes("2")),
                        new SimpleRecord(2_000L, bytes("c"), bytes("3")))
                .buffer();

        ByteBuffer kafka = ByteBuffer.allocate(1024);
        MemoryRecords.readableRecords(original.duplicate())
                .filterTo(
                        new MemoryRecords.RecordFilter(0, 0) {
                            @Override
                            protected BatchRetentionResult checkBatchRetention(
                                    org.apache.kafka.common.record.internal.RecordBatch batch) {
                                return new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, false);
                            }

                            @Override
                            protected boolean shouldRetainRecord(
                                    org.apache.kafka.common.record.internal.RecordBatch batch,
                                    org.apache.kafka.common.record.internal.Record record) {
                                return false;
                            }
                        },
                        kafka,
                        BufferSupplier.NO_CACHING,
                        Integer.MAX_VALUE);
        kafka.flip();

        ByteBuffer ferry = Cleaner.emptyCopy(RecordBatch.wrap(original.duplicate()));

        assertArrayEquals(array(kafka), array(ferry));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
