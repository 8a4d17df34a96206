package io.ferry.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks consecutive batches in a buffer (a produce payload, a log segment, a fetch response) without
 * copying them. Each returned {@link RecordBatch} is a view of the underlying bytes.
 *
 * <p>{@link #position()} is the number of bytes, from the buffer's starting position, covered by the
 * batches returned so far: after a {@link CorruptBatchException}, it is the length of the valid prefix,
 * which is what crash recovery truncates to.
 *
 * <p>Not thread-safe.
 */
public final class BatchScanner {

    private final ByteBuffer buffer;
    private final int start;
    private int position;

    private BatchScanner(ByteBuffer buffer) {
        this.buffer = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.start = buffer.position();
        this.position = start;
    }

    /** Scans from {@code buffer}'s position to its limit; the buffer's own position is not moved. */
    public static BatchScanner of(ByteBuffer buffer) {
        return new BatchScanner(buffer);
    }

    /**
     * The next batch, fully validated (length, magic, codec, record count, CRC), or {@code null} when
     * the bytes end exactly after the previous batch.
     */
    public RecordBatch next() throws CorruptBatchException {
        RecordBatch batch = nextShallow();
        if (batch != null) {
            try {
                batch.validate();
            } catch (CorruptBatchException e) {
                position -= batch.sizeInBytes();
                throw e;
            }
        }
        return batch;
    }

    /**
     * The next batch with only its framing checked (the length fits the bytes left, magic is 2), or
     * {@code null} at a clean end. For bytes that were validated when they were written, such as a
     * log segment below its recovery point.
     */
    public RecordBatch nextShallow() throws CorruptBatchException {
        int remaining = buffer.limit() - position;
        if (remaining == 0) {
            return null;
        }
        if (remaining < RecordBatch.LOG_OVERHEAD) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.TRUNCATED,
                    "only " + remaining + " bytes left at position " + (position - start)
                            + ", less than a batch header");
        }
        int batchLength = buffer.getInt(position + RecordBatch.LENGTH_OFFSET);
        if (batchLength < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_LENGTH,
                    "batch length " + batchLength + " at position " + (position - start)
                            + " is smaller than the header");
        }
        if (batchLength > remaining - RecordBatch.LOG_OVERHEAD) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.TRUNCATED,
                    "batch at position " + (position - start) + " has length " + batchLength + " ("
                            + ((long) batchLength + RecordBatch.LOG_OVERHEAD) + " bytes) but only " + remaining
                            + " remain");
        }
        byte magic = buffer.get(position + RecordBatch.MAGIC_OFFSET);
        if (magic != RecordBatch.MAGIC) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.UNSUPPORTED_MAGIC,
                    "magic byte " + magic + " at position " + (position - start) + "; only " + RecordBatch.MAGIC
                            + " is supported");
        }
        int size = batchLength + RecordBatch.LOG_OVERHEAD;
        RecordBatch batch =
                RecordBatch.wrap(buffer.duplicate().position(position).limit(position + size));
        position += size;
        return batch;
    }

    /** Bytes covered by the batches returned so far. */
    public int position() {
        return position - start;
    }
}
