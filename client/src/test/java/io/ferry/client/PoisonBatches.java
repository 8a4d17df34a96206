package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Batches with a valid header and CRC-32C whose records lie, as a log written before brokers validated
 * records may hold them, plus one with a CRC that does not match. Each is made from a well-formed
 * uncompressed batch of small records (no key, value {@code prefix + i}, timestamp delta 0), one field
 * changed in place, then resealed.
 */
public final class PoisonBatches {

    /** How a batch is spoiled, and the problem a reader reports for it. */
    public enum Kind {
        /** The record count says fewer records than the section holds. */
        COUNT_BELOW_RECORDS(Problem.INVALID_RECORD_COUNT),
        /** The codec bits say gzip; the records are not compressed. */
        FALSE_COMPRESSION(Problem.INVALID_COMPRESSION),
        /** The second record's value length is negative. */
        NEGATIVE_VALUE_LENGTH(Problem.INVALID_LENGTH),
        /** The second record's value length runs past the record. */
        OVERRUNNING_VALUE_LENGTH(Problem.INVALID_LENGTH),
        /** The second record's offset delta lies past the batch's last offset delta. */
        OFFSET_BEYOND_BATCH(Problem.INVALID_RECORD),
        /** A value byte changed without resealing: the header check fails, not the records. */
        CRC_MISMATCH(Problem.CRC_MISMATCH);

        public final Problem problem;

        Kind(Problem problem) {
            this.problem = problem;
        }
    }

    /** Header fields under the CRC, at their positions in RecordBatch v2. */
    private static final int CRC_OFFSET = 17;

    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int RECORD_COUNT_OFFSET = 57;
    /**
     * Field positions within a record of the batches built here: length, attributes, timestamp delta,
     * offset delta, key length, value length, each one byte.
     */
    private static final int OFFSET_DELTA_FIELD = 3;

    private static final int VALUE_LENGTH_FIELD = 5;

    private PoisonBatches() {}

    /** A well-formed uncompressed batch of {@code count} records with values {@code prefix + i}, base offset 0. */
    public static ByteBuffer good(String prefix, int count, long timestamp) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < count; i++) {
            builder.append(timestamp, null, (prefix + i).getBytes(UTF_8));
        }
        return builder.build();
    }

    /** A batch of {@code count} (at least 2) records with values {@code prefix + i}, spoiled as {@code kind} says. */
    public static ByteBuffer poison(Kind kind, String prefix, int count, long timestamp) {
        if (count < 2 || prefix.length() + Integer.toString(count).length() > 50) {
            throw new IllegalArgumentException("at least two records with short values");
        }
        ByteBuffer batch = good(prefix, count, timestamp);
        int second = secondRecord(batch);
        switch (kind) {
            case COUNT_BELOW_RECORDS -> batch.putInt(RECORD_COUNT_OFFSET, count - 1);
            case FALSE_COMPRESSION ->
                batch.putShort(
                        ATTRIBUTES_OFFSET, (short) (batch.getShort(ATTRIBUTES_OFFSET) | CompressionType.GZIP.id));
            case NEGATIVE_VALUE_LENGTH -> batch.put(second + VALUE_LENGTH_FIELD, zigzag(-5));
            case OVERRUNNING_VALUE_LENGTH -> batch.put(second + VALUE_LENGTH_FIELD, zigzag(60));
            case OFFSET_BEYOND_BATCH -> batch.put(second + OFFSET_DELTA_FIELD, zigzag(count + 20));
            case CRC_MISMATCH -> {
                batch.put(batch.limit() - 2, (byte) (batch.get(batch.limit() - 2) ^ 0x01));
                return batch;
            }
        }
        return reseal(batch);
    }

    /** Position of the second record: the first starts after the header, its length a one-byte varint. */
    private static int secondRecord(ByteBuffer batch) {
        int length = batch.get(RecordBatch.HEADER_SIZE);
        if (length < 0 || (length & 1) != 0) {
            throw new IllegalStateException("the first record's length is not a small one-byte varint");
        }
        return RecordBatch.HEADER_SIZE + 1 + (length >> 1);
    }

    /** A one-byte zigzag varint; {@code value} must be within -64..63. */
    private static byte zigzag(int value) {
        if (value < -64 || value > 63) {
            throw new IllegalArgumentException(value + " does not fit one varint byte");
        }
        return (byte) ((value << 1) ^ (value >> 31));
    }

    /** Recomputes the CRC of the batch, in place. */
    public static ByteBuffer reseal(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(ATTRIBUTES_OFFSET));
        batch.putInt(CRC_OFFSET, (int) crc.getValue());
        return batch;
    }

    /** Sets the base offset (outside the CRC), in place. */
    public static ByteBuffer at(long baseOffset, ByteBuffer batch) {
        batch.putLong(0, baseOffset);
        return batch;
    }
}
