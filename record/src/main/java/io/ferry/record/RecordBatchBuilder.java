package io.ferry.record;

import io.ferry.record.internal.ByteSink;
import io.ferry.record.internal.Utf8;
import io.ferry.record.internal.Varints;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Builds one RecordBatch v2 from records, byte for byte as Kafka's {@code MemoryRecordsBuilder} would
 * with the same records and codec at its default level. The built batch has base offset 0 and no
 * partition leader epoch: the partition leader assigns both on append.
 *
 * <p>Records are encoded once, straight into one growing array behind space reserved for the header,
 * so appending allocates nothing per record beyond occasional growth. An uncompressed batch is built in
 * that same array; a compressed one costs one more array for the codec's output.
 *
 * <p>Not thread-safe; one builder per batch, and {@link #build()} once.
 */
public final class RecordBatchBuilder {

    private static final int DEFAULT_INITIAL_CAPACITY = 1024;
    /** Largest array the JVM reliably allocates. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private final CompressionType compression;
    private ByteBuffer records;
    private int recordCount;
    private long baseTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    /** Set only by {@link #rewriting}: the original batch's header fields the rewrite keeps. */
    private RecordBatch original;

    private boolean built;

    private RecordBatchBuilder(CompressionType compression, int initialCapacity) {
        this.compression = compression;
        this.records = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + initialCapacity);
        this.records.position(RecordBatch.HEADER_SIZE);
    }

    public static RecordBatchBuilder create(CompressionType compression) {
        return new RecordBatchBuilder(compression, DEFAULT_INITIAL_CAPACITY);
    }

    /**
     * A builder whose record buffer starts at {@code expectedRecordBytes} (uncompressed), so a producer
     * that knows its batch size avoids regrowing it.
     */
    public static RecordBatchBuilder create(CompressionType compression, int expectedRecordBytes) {
        if (expectedRecordBytes < 0 || expectedRecordBytes > MAX_SIZE - RecordBatch.HEADER_SIZE) {
            throw new IllegalArgumentException("expectedRecordBytes " + expectedRecordBytes + " is out of range");
        }
        return new RecordBatchBuilder(compression, expectedRecordBytes);
    }

    /** Identifies an idempotent producer's batch; the default is none. */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /**
     * A builder for a filtered copy of {@code original}, as Kafka's log cleaner writes one: the copy keeps
     * the original's base offset, last offset delta (so the producer's last sequence stays readable),
     * partition leader epoch, codec, timestamp type, transactional and control bits, producer id, epoch
     * and base sequence; records are added with {@link #appendKept} at their original offsets.
     */
    public static RecordBatchBuilder rewriting(RecordBatch original) {
        return recompressing(original, original.compression());
    }

    /**
     * As {@link #rewriting}, with the records compressed by {@code compression} instead of the original's codec:
     * how a leader stores a producer's batch in the topic's {@code compression.type} (Kafka's LogValidator
     * converts a batch whose codec differs).
     */
    public static RecordBatchBuilder recompressing(RecordBatch original, CompressionType compression) {
        RecordBatchBuilder builder = new RecordBatchBuilder(compression, DEFAULT_INITIAL_CAPACITY);
        builder.original = original;
        builder.producer(original.producerId(), original.producerEpoch(), original.baseSequence());
        return builder;
    }

    /**
     * Appends {@code record}, read from the batch given to {@link #rewriting}, at its original offset and
     * timestamp, with its key, value and headers.
     */
    public RecordBatchBuilder appendKept(Record record) {
        if (original == null) {
            throw new IllegalStateException("appendKept is for a builder made by rewriting(batch)");
        }
        long delta = record.offset() - original.baseOffset();
        if (delta < 0 || delta > original.lastOffsetDelta()) {
            throw new IllegalArgumentException("record offset " + record.offset() + " is not in the original batch");
        }
        long timestamp = original.isLogAppendTime() ? original.maxTimestamp() : record.timestamp();
        return append(timestamp, (int) delta, record.keyBytes(), record.valueBytes(), record.headers());
    }

    /** Appends a record with no headers. */
    public RecordBatchBuilder append(long timestampMs, byte[] key, byte[] value) {
        return append(timestampMs, key, value, List.of());
    }

    /**
     * Appends a record at the next offset delta.
     *
     * @param timestampMs milliseconds since the epoch, or {@link RecordBatch#NO_TIMESTAMP}
     * @param key         may be null
     * @param value       may be null (a tombstone)
     * @throws IllegalArgumentException for a negative timestamp other than {@link RecordBatch#NO_TIMESTAMP}
     * @throws IllegalStateException    after {@link #build()}, or when the batch would exceed 2 GiB
     */
    public RecordBatchBuilder append(long timestampMs, byte[] key, byte[] value, List<Header> headers) {
        return append(timestampMs, recordCount, key, value, headers);
    }

    private RecordBatchBuilder append(
            long timestampMs, int offsetDelta, byte[] key, byte[] value, List<Header> headers) {
        if (built) {
            throw new IllegalStateException("the batch was already built");
        }
        if (timestampMs < 0 && timestampMs != RecordBatch.NO_TIMESTAMP) {
            throw new IllegalArgumentException("invalid negative timestamp " + timestampMs);
        }
        if (recordCount == 0) {
            baseTimestamp = timestampMs;
        }
        long timestampDelta = timestampMs - baseTimestamp;

        int headerCount = headers.size();
        long bodySize = 1
                + Varints.sizeOfVarlong(timestampDelta)
                + Varints.sizeOfVarint(offsetDelta)
                + sizeOfBytes(key)
                + sizeOfBytes(value)
                + Varints.sizeOfVarint(headerCount);
        for (int i = 0; i < headerCount; i++) {
            Header header = headers.get(i);
            int keyLength = Utf8.encodedLength(header.key());
            bodySize += Varints.sizeOfVarint(keyLength) + (long) keyLength + sizeOfBytes(header.value());
        }
        if (bodySize > MAX_SIZE - records.position() - 5) {
            throw new IllegalStateException(
                    "record of " + bodySize + " bytes would make the batch exceed " + MAX_SIZE + " bytes");
        }
        ensureCapacity(Varints.sizeOfVarint((int) bodySize) + (int) bodySize);

        Varints.writeVarint((int) bodySize, records);
        records.put((byte) 0);
        Varints.writeVarlong(timestampDelta, records);
        Varints.writeVarint(offsetDelta, records);
        writeBytes(key);
        writeBytes(value);
        Varints.writeVarint(headerCount, records);
        for (int i = 0; i < headerCount; i++) {
            Header header = headers.get(i);
            Varints.writeVarint(Utf8.encodedLength(header.key()), records);
            Utf8.write(header.key(), records);
            writeBytes(header.value());
        }
        maxTimestamp = Math.max(maxTimestamp, timestampMs);
        recordCount++;
        return this;
    }

    public int recordCount() {
        return recordCount;
    }

    /** Size of the batch if built now without compression; an upper bound for batching decisions. */
    public int uncompressedSizeInBytes() {
        return records.position();
    }

    /** Bytes the builder has allocated for the batch so far (its header's room included); it grows as needed. */
    public int allocatedBytes() {
        return records.capacity();
    }

    /**
     * The finished batch, position 0 to its size, base offset 0. The builder is spent afterwards.
     *
     * @throws IllegalStateException with no records, or when called twice
     */
    public ByteBuffer build() {
        if (built) {
            throw new IllegalStateException("the batch was already built");
        }
        if (recordCount == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        built = true;
        byte[] array;
        int size;
        if (compression == CompressionType.NONE) {
            array = records.array();
            size = records.position();
        } else {
            int recordsLength = records.position() - RecordBatch.HEADER_SIZE;
            ByteSink out = new ByteSink(RecordBatch.HEADER_SIZE + recordsLength / 2);
            out.ensureSpare(RecordBatch.HEADER_SIZE);
            out.advance(RecordBatch.HEADER_SIZE);
            Compressors.compress(compression, records.array(), RecordBatch.HEADER_SIZE, recordsLength, out);
            array = out.array();
            size = out.size();
        }
        records = null;
        ByteBuffer batch = ByteBuffer.wrap(array, 0, size).slice().order(ByteOrder.BIG_ENDIAN);
        int keptAttributes =
                RecordBatch.TIMESTAMP_TYPE_MASK | RecordBatch.TRANSACTIONAL_MASK | RecordBatch.CONTROL_MASK;
        batch.putLong(original == null ? 0L : original.baseOffset())
                .putInt(size - RecordBatch.LOG_OVERHEAD)
                .putInt(original == null ? RecordBatch.NO_PARTITION_LEADER_EPOCH : original.partitionLeaderEpoch())
                .put(RecordBatch.MAGIC)
                .putInt(0) // CRC, filled below
                .putShort((short) (compression.id | (original == null ? 0 : original.attributes() & keptAttributes)))
                .putInt(original == null ? recordCount - 1 : original.lastOffsetDelta())
                .putLong(baseTimestamp)
                .putLong(original != null && original.isLogAppendTime() ? original.maxTimestamp() : maxTimestamp)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(baseSequence)
                .putInt(recordCount);
        CRC32C crc = new CRC32C();
        crc.update(array, RecordBatch.ATTRIBUTES_OFFSET, size - RecordBatch.ATTRIBUTES_OFFSET);
        batch.putInt(RecordBatch.CRC_OFFSET, (int) crc.getValue());
        return batch.clear();
    }

    private static long sizeOfBytes(byte[] bytes) {
        return bytes == null ? Varints.sizeOfVarint(-1) : Varints.sizeOfVarint(bytes.length) + (long) bytes.length;
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
            long doubled = Math.min(MAX_SIZE, (long) records.capacity() * 2);
            int capacity = (int) Math.max(doubled, (long) records.position() + needed);
            ByteBuffer grown = ByteBuffer.allocate(capacity);
            grown.put(records.flip());
            records = grown;
        }
    }
}
