package io.ferry.storage;

import io.ferry.record.BatchScanner;
import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds batches for tests and takes read results apart. */
final class TestBatches {

    private TestBatches() {}

    /** A batch of {@code records} records with the given timestamp and values of {@code valueBytes} bytes. */
    static ByteBuffer batch(long timestamp, int records, int valueBytes) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[valueBytes];
            for (int j = 0; j < valueBytes; j++) {
                value[j] = (byte) (timestamp * 31 + i * 7 + j);
            }
            builder.append(timestamp, ("k" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        return builder.build();
    }

    /** A batch of {@code records} keyed records of producer {@code producerId}, sequences from {@code firstSeq}. */
    static ByteBuffer producerBatch(long producerId, int epoch, int firstSeq, int records, long timestamp) {
        RecordBatchBuilder builder =
                RecordBatchBuilder.create(CompressionType.NONE).producer(producerId, (short) epoch, firstSeq);
        for (int i = 0; i < records; i++) {
            builder.append(timestamp, ("k" + (firstSeq + i)).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i});
        }
        return builder.build();
    }

    static ByteBuffer concat(List<ByteBuffer> buffers) {
        int size = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(size);
        buffers.forEach(b -> all.put(b.duplicate()));
        return all.flip();
    }

    /** Every batch in {@code buffer}, each fully validated. */
    static List<RecordBatch> batches(ByteBuffer buffer) {
        BatchScanner scanner = BatchScanner.of(buffer);
        List<RecordBatch> batches = new ArrayList<>();
        try {
            for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
                batches.add(batch);
            }
        } catch (CorruptBatchException e) {
            throw new AssertionError("read returned a corrupt batch", e);
        }
        return batches;
    }

    /** A heap copy of a batch's bytes, for comparing. */
    static byte[] bytes(RecordBatch batch) {
        ByteBuffer buffer = batch.buffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
