package io.ferry.record;

import io.ferry.record.internal.RecordWalker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A view of one Kafka RecordBatch v2 (magic 2) held in a {@link ByteBuffer}, from its position to
 * its limit. The view never copies the bytes: reading a header field reads the buffer, and the two
 * setters patch it in place.
 *
 * <p>Layout (big-endian), as in Kafka's protocol documentation:
 *
 * <pre>
 *  0 baseOffset int64        |  27 baseTimestamp int64
 *  8 batchLength int32       |  35 maxTimestamp int64
 * 12 partitionLeaderEpoch    |  43 producerId int64
 * 16 magic int8              |  51 producerEpoch int16
 * 17 crc uint32 (CRC-32C of  |  53 baseSequence int32
 *    attributes..end)        |  57 recordCount int32
 * 21 attributes int16        |  61 records...
 * 23 lastOffsetDelta int32   |
 * </pre>
 *
 * <p>The CRC does not cover base offset, length, leader epoch or magic, so a broker assigns
 * offsets and stamps its leader epoch without recomputing it.
 *
 * <p>Not thread-safe when patched; concurrent readers of an unpatched batch are fine because every
 * read is absolute.
 */
public final class RecordBatch {

    public static final byte MAGIC = 2;

    // Header field positions: the wire format's, public for code that reads or patches headers in place
    // (a log segment scan, tests that forge batches).
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORD_COUNT_OFFSET = 57;

    /** Bytes before the first record; also the smallest possible batch. */
    public static final int HEADER_SIZE = 61;
    /** Bytes of base offset and batch length, which the batch length does not count. */
    public static final int LOG_OVERHEAD = 12;

    /** Partition leader epoch of a batch no leader has stamped yet. */
    public static final int NO_PARTITION_LEADER_EPOCH = -1;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    /**
     * Default cap on the decompressed size of a batch's records: far above any batch a producer sends
     * under Kafka-like size limits, low enough that a decompression bomb cannot exhaust a heap.
     */
    public static final int DEFAULT_MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
    /** Largest cap {@link #records(int)} accepts: the largest byte array the JVM reliably allocates. */
    public static final int MAX_UNCOMPRESSED_BYTES_LIMIT = Integer.MAX_VALUE - 16;

    /** Attributes bits 0-2: the compression codec id. */
    public static final int COMPRESSION_CODEC_MASK = 0x07;
    /** Attributes bit 3: set for LogAppendTime. */
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    /** Attributes bit 4: the batch belongs to a transaction. */
    public static final int TRANSACTIONAL_MASK = 0x10;
    /** Attributes bit 5: the batch holds control records (transaction markers). */
    public static final int CONTROL_MASK = 0x20;
    /** Attributes bit 6: Kafka's log cleaner stored a delete horizon in the base timestamp (KIP-534). */
    public static final int DELETE_HORIZON_MASK = 0x40;

    private final ByteBuffer buffer;

    private RecordBatch(ByteBuffer buffer) {
        this.buffer = buffer.slice().order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Wraps the bytes from {@code buffer}'s position to its limit, which must hold exactly one
     * batch. Only the header size is checked here; call {@link #validate()} before trusting the rest.
     */
    public static RecordBatch wrap(ByteBuffer buffer) throws CorruptBatchException {
        if (buffer.remaining() < HEADER_SIZE) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.TRUNCATED,
                    "batch has " + buffer.remaining() + " bytes, fewer than the " + HEADER_SIZE + "-byte header");
        }
        return new RecordBatch(buffer);
    }

    /**
     * Checks everything that can be checked without decoding records: the length field matches the
     * bytes held, magic is 2, the codec is known, the record count fits the offset range, and the
     * CRC-32C matches. Records themselves are checked as they are iterated, or all at once by
     * {@link #validateRecords()}.
     */
    public void validate() throws CorruptBatchException {
        // In long: a length near Integer.MAX_VALUE must be reported as sent, not wrapped negative.
        long declaredSize = LOG_OVERHEAD + (long) batchLength();
        if (batchLength() < HEADER_SIZE - LOG_OVERHEAD) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_LENGTH,
                    "batch length " + batchLength() + " is smaller than the header");
        }
        if (declaredSize != buffer.limit()) {
            throw new CorruptBatchException(
                    declaredSize > buffer.limit()
                            ? CorruptBatchException.Problem.TRUNCATED
                            : CorruptBatchException.Problem.INVALID_LENGTH,
                    "batch length " + batchLength() + " says " + declaredSize + " bytes but " + buffer.limit()
                            + " are present");
        }
        if (magic() != MAGIC) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.UNSUPPORTED_MAGIC,
                    "magic byte is " + magic() + ", only " + MAGIC + " is supported");
        }
        if (CompressionType.forId(attributes() & COMPRESSION_CODEC_MASK) == null) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_COMPRESSION,
                    "compression codec id " + (attributes() & COMPRESSION_CODEC_MASK) + " names no codec");
        }
        int count = recordCount();
        if (count < 0 || lastOffsetDelta() < 0 || (count > 0 && count - 1 > lastOffsetDelta())) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_RECORD_COUNT,
                    "record count " + count + " does not fit last offset delta " + lastOffsetDelta());
        }
        long stored = checksum();
        long computed = computeChecksum();
        if (stored != computed) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.CRC_MISMATCH,
                    "CRC-32C stored " + Long.toHexString(stored) + " but bytes hash to " + Long.toHexString(computed));
        }
    }

    /** {@link #records(int)} with {@link #DEFAULT_MAX_UNCOMPRESSED_BYTES}. */
    public RecordIterator records() throws CorruptBatchException {
        return records(DEFAULT_MAX_UNCOMPRESSED_BYTES);
    }

    /**
     * Decompresses the records section (a compressed batch is decompressed here, whole) and returns an
     * iterator that decodes records from it. Safe on any bytes: it never throws anything but
     * {@link CorruptBatchException} for bad input. It does not check the CRC: call {@link #validate()}
     * first for bytes not yet validated.
     *
     * @param maxUncompressedBytes cap on the decompressed size; exceeding it is
     *                             {@link CorruptBatchException.Problem#DECOMPRESSED_TOO_LARGE}. An
     *                             uncompressed batch is read in place, without copying, so the cap does
     *                             not apply to it.
     * @throws IllegalArgumentException when the cap is not in 1..{@link #MAX_UNCOMPRESSED_BYTES_LIMIT}
     */
    public RecordIterator records(int maxUncompressedBytes) throws CorruptBatchException {
        return new RecordIterator(this, recordsSection(maxUncompressedBytes));
    }

    /** The records section, decompressed if the batch is compressed; checks codec and count on the way. */
    private ByteBuffer recordsSection(int maxUncompressedBytes) throws CorruptBatchException {
        return checkedSection(Compressors.decompress(
                checkedCompression(maxUncompressedBytes),
                buffer.duplicate().position(HEADER_SIZE),
                maxUncompressedBytes));
    }

    /** The codec of the records section, after the checks every read of the section makes first. */
    private CompressionType checkedCompression(int maxUncompressedBytes) throws CorruptBatchException {
        if (maxUncompressedBytes < 1 || maxUncompressedBytes > MAX_UNCOMPRESSED_BYTES_LIMIT) {
            throw new IllegalArgumentException(
                    "maxUncompressedBytes " + maxUncompressedBytes + " is not in 1.." + MAX_UNCOMPRESSED_BYTES_LIMIT);
        }
        CompressionType compression = compression();
        if (compression == null) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_COMPRESSION,
                    "compression codec id " + (attributes() & COMPRESSION_CODEC_MASK) + " names no codec");
        }
        if (recordCount() < 0) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_RECORD_COUNT,
                    "record count " + recordCount() + " is negative");
        }
        return compression;
    }

    private ByteBuffer checkedSection(ByteBuffer section) throws CorruptBatchException {
        if (recordCount() == 0 && section.hasRemaining()) {
            // Checked here because an iterator over zero records never reaches its own trailing-bytes check.
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_RECORD_COUNT,
                    "batch declares 0 records but its records section holds " + section.remaining() + " bytes");
        }
        return section;
    }

    /** {@link #validateRecords(int)} with {@link #DEFAULT_MAX_UNCOMPRESSED_BYTES}. */
    public void validateRecords() throws CorruptBatchException {
        validateRecords(DEFAULT_MAX_UNCOMPRESSED_BYTES);
    }

    /**
     * Deep validation: {@link #validate()}, then {@link #scanRecords(int)}, and (CreateTime) no record
     * timestamp above the max timestamp.
     */
    public void validateRecords(int maxUncompressedBytes) throws CorruptBatchException {
        validate();
        RecordsScan scan = scanRecords(maxUncompressedBytes);
        if (!isLogAppendTime() && scan.maxTimestamp() > maxTimestamp()) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.INVALID_RECORD,
                    "a record has timestamp " + scan.maxTimestamp() + ", above the batch's max timestamp "
                            + maxTimestamp());
        }
    }

    /**
     * Checks the structure of every record without decoding any into objects (a compressed batch is
     * decompressed first, at most {@code maxUncompressedBytes}): each record's fields fill its length exactly,
     * every length is -1 or fits, the section holds exactly {@link #recordCount()} records, and offset deltas
     * strictly increase within 0..{@link #lastOffsetDelta()}. What is left to policy (timestamps, whether
     * offsets may have gaps) is in the returned {@link RecordsScan}. Does not check the CRC: call
     * {@link #validate()} first for bytes not yet validated.
     *
     * @throws IllegalArgumentException when the cap is not in 1..{@link #MAX_UNCOMPRESSED_BYTES_LIMIT}
     */
    public RecordsScan scanRecords(int maxUncompressedBytes) throws CorruptBatchException {
        // The section is walked and dropped, so it is decompressed into this thread's reused arrays.
        return Compressors.scanDecompressed(
                checkedCompression(maxUncompressedBytes),
                buffer.duplicate().position(HEADER_SIZE),
                maxUncompressedBytes,
                section ->
                        RecordWalker.walk(checkedSection(section), recordCount(), lastOffsetDelta(), baseTimestamp()));
    }

    /** CRC-32C over attributes to the end of the batch, as the CRC field should hold it. */
    public long computeChecksum() {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(ATTRIBUTES_OFFSET).limit(buffer.limit()));
        return crc.getValue();
    }

    public long baseOffset() {
        return buffer.getLong(BASE_OFFSET_OFFSET);
    }

    /** Offset of the last record: base offset plus last offset delta. */
    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset the batch after this one starts at. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    /** Bytes after the base offset and length fields. */
    public int batchLength() {
        return buffer.getInt(LENGTH_OFFSET);
    }

    /** Whole size in bytes, including base offset and length. */
    public int sizeInBytes() {
        return buffer.limit();
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buffer.get(MAGIC_OFFSET);
    }

    /** The stored CRC-32C as an unsigned value. */
    public long checksum() {
        return Integer.toUnsignedLong(buffer.getInt(CRC_OFFSET));
    }

    public short attributes() {
        return buffer.getShort(ATTRIBUTES_OFFSET);
    }

    /** The codec named by the attributes; {@code null} only for a batch that fails {@link #validate()}. */
    public CompressionType compression() {
        return CompressionType.forId(attributes() & COMPRESSION_CODEC_MASK);
    }

    /** True when timestamps were set by the broker on append (LogAppendTime). */
    public boolean isLogAppendTime() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public TimestampType timestampType() {
        return isLogAppendTime() ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(LAST_OFFSET_DELTA_OFFSET);
    }

    /** Milliseconds since the epoch. */
    public long baseTimestamp() {
        return buffer.getLong(BASE_TIMESTAMP_OFFSET);
    }

    /** Milliseconds since the epoch: the largest record timestamp in the batch. */
    public long maxTimestamp() {
        return buffer.getLong(MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buffer.getLong(PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buffer.getShort(PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buffer.getInt(BASE_SEQUENCE_OFFSET);
    }

    public int recordCount() {
        return buffer.getInt(RECORD_COUNT_OFFSET);
    }

    /** Assigns the batch its log offsets. Outside the CRC: no checksum is recomputed. */
    public void setBaseOffset(long baseOffset) {
        buffer.putLong(BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Stamps the epoch of the leader that appended the batch. Outside the CRC. */
    public void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Sets the timestamp type bit and the max timestamp, as a leader does for LogAppendTime or when a
     * producer's max timestamp disagrees with its records. Both are covered by the CRC, so it is
     * recomputed, over the whole batch; nothing is written when both already hold these values.
     */
    public void setMaxTimestamp(TimestampType type, long maxTimestamp) {
        if (timestampType() == type && maxTimestamp() == maxTimestamp) {
            return;
        }
        int attributes = attributes() & ~TIMESTAMP_TYPE_MASK;
        if (type == TimestampType.LOG_APPEND_TIME) {
            attributes |= TIMESTAMP_TYPE_MASK;
        }
        buffer.putShort(ATTRIBUTES_OFFSET, (short) attributes);
        buffer.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buffer.putInt(CRC_OFFSET, (int) computeChecksum());
    }

    /** The batch's bytes, position 0 to its size; shares content with this view. */
    public ByteBuffer buffer() {
        return buffer.duplicate();
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset()
                + ", size=" + sizeInBytes() + ", records=" + recordCount()
                + ", leaderEpoch=" + partitionLeaderEpoch() + ", compression=" + compression() + ")";
    }
}
