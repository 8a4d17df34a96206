package io.ferry.record.internal;

import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordsScan;
import io.ferry.record.internal.Varints.MalformedVarintException;
import java.nio.ByteBuffer;

/**
 * Checks the structure of every record in a (decompressed) records section without materializing one:
 * keys, values and headers are skipped, not copied, so a leader can validate what a client produced on
 * its hot path without allocating per record. It enforces what {@code RecordIterator} enforces while
 * decoding (each record's fields fill its length exactly, lengths are -1 or fit, the section holds
 * exactly the declared count) plus the offset-delta order, and reports what policy checks need
 * ({@link RecordsScan}).
 *
 * <p>Stateless; the section is read through a duplicate and never moved.
 */
public final class RecordWalker {

    /** Smallest encoded header: key length and value length varints of one byte each. */
    private static final int MIN_HEADER_SIZE = 2;

    private static final int NOT_A_HEADER = -1;
    private static final String HEADER_KEY = "key";
    private static final String HEADER_VALUE = "value";

    private final ByteBuffer in;
    private final int sectionEnd;
    private int index;
    private int recordStart;

    private RecordWalker(ByteBuffer section) {
        this.in = section.slice();
        this.sectionEnd = in.limit();
    }

    /**
     * Walks {@code section} (position to limit) as the records of a batch with the given header fields.
     *
     * @throws CorruptBatchException {@link Problem#INVALID_RECORD_COUNT} when the section holds fewer or more
     *                               records than {@code recordCount}; {@link Problem#INVALID_LENGTH} or
     *                               {@link Problem#INVALID_RECORD} for a malformed record or offset deltas
     *                               that do not strictly increase within 0..{@code lastOffsetDelta}
     */
    public static RecordsScan walk(ByteBuffer section, int recordCount, int lastOffsetDelta, long baseTimestamp)
            throws CorruptBatchException {
        return new RecordWalker(section).walk(recordCount, lastOffsetDelta, baseTimestamp);
    }

    private RecordsScan walk(int recordCount, int lastOffsetDelta, long baseTimestamp) throws CorruptBatchException {
        long previousDelta = -1;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long minStamped = Long.MAX_VALUE;
        int firstKeyless = -1;
        for (index = 0; index < recordCount; index++) {
            recordStart = in.position();
            if (recordStart == sectionEnd) {
                throw new CorruptBatchException(
                        Problem.INVALID_RECORD_COUNT,
                        "batch declares " + recordCount + " records but its records section ends after " + index);
            }
            int offsetDelta;
            long timestampDelta;
            int bodyLength = varint("record length");
            int bodyStart = in.position();
            if (bodyLength < 0 || bodyLength > sectionEnd - bodyStart) {
                throw error(
                        Problem.INVALID_LENGTH,
                        "record length " + bodyLength + " is negative or exceeds the " + (sectionEnd - bodyStart)
                                + " bytes left");
            }
            int bodyEnd = bodyStart + bodyLength;
            in.limit(bodyEnd);
            try {
                if (!in.hasRemaining()) {
                    throw error(Problem.INVALID_RECORD, "attributes byte is missing");
                }
                in.get(); // record attributes: unused in format v2
                timestampDelta = varlong("timestamp delta");
                offsetDelta = varint("offset delta");
                if (skipBytes("key", NOT_A_HEADER) < 0 && firstKeyless < 0) {
                    firstKeyless = index;
                }
                skipBytes("value", NOT_A_HEADER);
                skipHeaders(bodyEnd);
                if (in.position() != bodyEnd) {
                    throw error(
                            Problem.INVALID_RECORD,
                            "record length " + bodyLength + " but its fields take " + (in.position() - bodyStart)
                                    + " bytes");
                }
            } finally {
                in.limit(sectionEnd);
            }
            if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta) {
                throw error(
                        Problem.INVALID_RECORD,
                        "offset delta " + offsetDelta + "; expected above " + previousDelta
                                + " and at most the last offset delta " + lastOffsetDelta);
            }
            previousDelta = offsetDelta;
            long timestamp = baseTimestamp + timestampDelta;
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            if (timestamp != RecordBatch.NO_TIMESTAMP) {
                minStamped = Math.min(minStamped, timestamp);
            }
        }
        if (in.position() != sectionEnd) {
            throw new CorruptBatchException(
                    Problem.INVALID_RECORD_COUNT,
                    "batch declares " + recordCount + " records but " + (sectionEnd - in.position())
                            + " bytes follow the last of them");
        }
        return new RecordsScan(recordCount, maxTimestamp, minStamped, firstKeyless);
    }

    private void skipHeaders(int bodyEnd) throws CorruptBatchException {
        int headerCount = varint("header count");
        if (headerCount < 0 || headerCount > (bodyEnd - in.position()) / MIN_HEADER_SIZE) {
            throw error(
                    Problem.INVALID_RECORD,
                    "header count " + headerCount + " is negative or cannot fit the " + (bodyEnd - in.position())
                            + " bytes left");
        }
        for (int i = 0; i < headerCount; i++) {
            int keyLength = length(HEADER_KEY, i);
            if (keyLength < 0) {
                throw error(Problem.INVALID_LENGTH, fieldName(HEADER_KEY, i) + " length " + keyLength + " is negative");
            }
            in.position(in.position() + keyLength);
            skipBytes(HEADER_VALUE, i);
        }
    }

    /** Skips a length-prefixed byte field; length -1 is a null field. */
    /** Skips a length-prefixed field; returns its length, -1 for null. */
    private int skipBytes(String field, int header) throws CorruptBatchException {
        int length = length(field, header);
        if (length < -1) {
            throw error(Problem.INVALID_LENGTH, fieldName(field, header) + " length " + length + " is negative");
        }
        if (length > 0) {
            in.position(in.position() + length);
        }
        return length;
    }

    /**
     * Reads a length varint and checks that a non-negative length fits the record's remaining bytes. Field
     * names are only put together for an error: this runs for every key, value and header.
     */
    private int length(String field, int header) throws CorruptBatchException {
        int position = in.position();
        int length;
        try {
            length = Varints.readVarint(in);
        } catch (MalformedVarintException e) {
            throw error(
                    Problem.INVALID_RECORD,
                    fieldName(field, header) + " length at byte " + position + ": " + e.getMessage());
        }
        if (length > in.remaining()) {
            throw error(
                    Problem.INVALID_LENGTH,
                    fieldName(field, header) + " length " + length + " exceeds the " + in.remaining()
                            + " bytes left in the record");
        }
        return length;
    }

    private static String fieldName(String field, int header) {
        return header < 0 ? field : "header " + header + " " + field;
    }

    private int varint(String field) throws CorruptBatchException {
        int position = in.position();
        try {
            return Varints.readVarint(in);
        } catch (MalformedVarintException e) {
            throw error(Problem.INVALID_RECORD, field + " at byte " + position + ": " + e.getMessage());
        }
    }

    private long varlong(String field) throws CorruptBatchException {
        int position = in.position();
        try {
            return Varints.readVarlong(in);
        } catch (MalformedVarintException e) {
            throw error(Problem.INVALID_RECORD, field + " at byte " + position + ": " + e.getMessage());
        }
    }

    private CorruptBatchException error(Problem problem, String detail) {
        return new CorruptBatchException(
                problem, "record " + index + " (at byte " + recordStart + " of the records section): " + detail);
    }
}
