package io.ferry.record;

import io.ferry.record.internal.Varints;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Builds one RecordBatch v2 from records. The built batch has base offset 0 and no partition leader
 * epoch: the partition leader assigns both on append.
 *
 * <p>Not thread-safe; one builder per batch.
 */
public final class RecordBatchBuilder {

    private final CompressionType compression;
    private ByteBuffer records = ByteBuffer.allocate(1024);
    private int recordCount;
    private long baseTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;

    private RecordBatchBuilder(CompressionType compression) {
        this.compression = compression;
    }

    public static RecordBatchBuilder create(CompressionType compression) {
        return new RecordBatchBuilder(compression);
    }

    /** Identifies an idempotent producer's batch; the default is none. */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /** Appends a record with no headers. */
    public RecordBatchBuilder append(long timestampMs, byte[] key, byte[] value) {
        return append(timestampMs, key, value, List.of());
    }

    /**
     * Appends a record at the next offset delta.
     *
     * @param timestampMs milliseconds since the epoch
     * @param key         may be null
     * @param value       may be null (a tombstone)
     */
    public RecordBatchBuilder append(long timestampMs, byte[] key, byte[] value, List<Header> headers) {
        if (recordCount == 0) {
            baseTimestamp = timestampMs;
        }
        maxTimestamp = Math.max(maxTimestamp, timestampMs);
        long timestampDelta = timestampMs - baseTimestamp;
        int offsetDelta = recordCount;

        byte[][] headerKeys = new byte[headers.size()][];
        int bodySize = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(offsetDelta)
                + sizeOfBytes(key) + sizeOfBytes(value) + Varints.sizeOfVarint(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            headerKeys[i] = headers.get(i).key().getBytes(StandardCharsets.UTF_8);
            bodySize += sizeOfBytes(headerKeys[i]) + sizeOfBytes(headers.get(i).value());
        }
        ensureCapacity(Varints.sizeOfVarint(bodySize) + bodySize);

        Varints.writeVarint(bodySize, records);
        records.put((byte) 0);
        Varints.writeVarlong(timestampDelta, records);
        Varints.writeVarint(offsetDelta, records);
        writeBytes(key);
        writeBytes(value);
        Varints.writeVarint(headers.size(), records);
        for (int i = 0; i < headers.size(); i++) {
            writeBytes(headerKeys[i]);
            writeBytes(headers.get(i).value());
        }
        recordCount++;
        return this;
    }

    public int recordCount() {
        return recordCount;
    }

    /** Size of the batch if built now without compression; an upper bound for batching decisions. */
    public int uncompressedSizeInBytes() {
        return RecordBatch.HEADER_SIZE + records.position();
    }

    /** The finished batch, position 0 to its size, base offset 0. */
    public ByteBuffer build() {
        if (recordCount == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        ByteBuffer payload = Compressors.compress(compression, records.duplicate().flip());
        int size = RecordBatch.HEADER_SIZE + payload.remaining();
        ByteBuffer batch = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        batch.putLong(0L)
                .putInt(size - RecordBatch.LOG_OVERHEAD)
                .putInt(RecordBatch.NO_PARTITION_LEADER_EPOCH)
                .put(RecordBatch.MAGIC)
                .putInt(0) // CRC, filled below
                .putShort((short) compression.id)
                .putInt(recordCount - 1)
                .putLong(baseTimestamp)
                .putLong(maxTimestamp)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(baseSequence)
                .putInt(recordCount)
                .put(payload);
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(RecordBatch.ATTRIBUTES_OFFSET).limit(size));
        batch.putInt(RecordBatch.CRC_OFFSET, (int) crc.getValue());
        return batch.flip();
    }

    private static int sizeOfBytes(byte[] bytes) {
        return bytes == null ? Varints.sizeOfVarint(-1) : Varints.sizeOfVarint(bytes.length) + bytes.length;
    }

    private void writeBytes(byte[] bytes) {
        if (bytes == null) {
            Varints.writeVarint(-1, records);
        } else {
            Varints.writeVarint(bytes.length, records);
            records.put(bytes);
        }
    }

    private void ensureCapacity(int needed) {
        if (records.remaining() < needed) {
            int capacity = Math.max(records.capacity() * 2, records.position() + needed);
            ByteBuffer grown = ByteBuffer.allocate(capacity);
            grown.put(records.flip());
            records = grown;
        }
    }
}
