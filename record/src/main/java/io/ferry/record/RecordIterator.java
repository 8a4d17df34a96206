package io.ferry.record;

import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.internal.Varints;
import io.ferry.record.internal.Varints.MalformedVarintException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Decodes the records of one batch, in order, from its (decompressed) records section. Every length
 * and varint is checked against the bytes actually present before it is used, so malformed input
 * yields a {@link CorruptBatchException} naming the record, the field and its position, never another
 * exception and never an allocation sized by an untrusted length.
 *
 * <p>The batch's record count is checked both ways: the section ending before that many records is an
 * error, and so are bytes left after the last one. That second check happens as the last record is
 * decoded, so a batch that lies about its count fails before iteration reports it finished.
 *
 * <p>Not thread-safe.
 */
public final class RecordIterator {

    /** Smallest encoded header: key length and value length varints of one byte each. */
    private static final int MIN_HEADER_SIZE = 2;

    private final ByteBuffer section;
    private final ByteBuffer readOnlySection;
    private final int sectionEnd;
    private final int recordCount;
    private final long baseOffset;
    private final long baseTimestamp;
    private final long logAppendTimestamp;
    private final boolean logAppendTime;
    private int index;
    private boolean failed;

    RecordIterator(RecordBatch batch, ByteBuffer section) {
        this.section = section.slice();
        this.readOnlySection = this.section.asReadOnlyBuffer();
        this.sectionEnd = this.section.limit();
        this.recordCount = batch.recordCount();
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.logAppendTimestamp = batch.maxTimestamp();
        this.logAppendTime = batch.isLogAppendTime();
    }

    /**
     * True while fewer records than the batch's record count have been returned and no record has
     * failed to decode: a batch is not read past its first corruption.
     */
    public boolean hasNext() {
        return !failed && index < recordCount;
    }

    /**
     * Decodes the next record.
     *
     * @throws NoSuchElementException when {@link #hasNext()} is false
     * @throws CorruptBatchException  when the record is malformed, the section ends early, or bytes
     *                                follow what should be the last record
     */
    public Record next() throws CorruptBatchException {
        if (!hasNext()) {
            throw new NoSuchElementException(
                    failed ? "the batch is corrupt" : "all " + recordCount + " records were returned");
        }
        try {
            return decodeNext();
        } catch (CorruptBatchException e) {
            failed = true;
            throw e;
        }
    }

    private Record decodeNext() throws CorruptBatchException {
        int start = section.position();
        if (start == sectionEnd) {
            throw new CorruptBatchException(
                    Problem.INVALID_RECORD_COUNT,
                    "batch declares " + recordCount + " records but its records section ends after " + index);
        }
        int bodyLength = readVarint("record length", start);
        int bodyStart = section.position();
        if (bodyLength < 0 || bodyLength > sectionEnd - bodyStart) {
            throw error(
                    Problem.INVALID_LENGTH,
                    start,
                    "record length " + bodyLength + " is negative or exceeds the " + (sectionEnd - bodyStart)
                            + " bytes left");
        }
        int bodyEnd = bodyStart + bodyLength;
        section.limit(bodyEnd);
        try {
            Record record = readBody(start, bodyEnd);
            if (section.position() != bodyEnd) {
                throw error(
                        Problem.INVALID_RECORD,
                        start,
                        "record length " + bodyLength + " but its fields take " + (section.position() - bodyStart)
                                + " bytes");
            }
            index++;
            if (index == recordCount && bodyEnd != sectionEnd) {
                throw new CorruptBatchException(
                        Problem.INVALID_RECORD_COUNT,
                        "batch declares " + recordCount + " records but " + (sectionEnd - bodyEnd)
                                + " bytes follow the last of them");
            }
            return record;
        } finally {
            section.limit(sectionEnd);
        }
    }

    private Record readBody(int start, int bodyEnd) throws CorruptBatchException {
        if (!section.hasRemaining()) {
            throw error(Problem.INVALID_RECORD, start, "attributes byte is missing");
        }
        section.get(); // record attributes: unused in format v2
        long timestampDelta = readVarlong("timestamp delta", start);
        int offsetDelta = readVarint("offset delta", start);
        ByteBuffer key = readBytes("key", start);
        ByteBuffer value = readBytes("value", start);
        int headerCount = readVarint("header count", start);
        if (headerCount < 0 || headerCount > (bodyEnd - section.position()) / MIN_HEADER_SIZE) {
            throw error(
                    Problem.INVALID_RECORD,
                    start,
                    "header count " + headerCount + " is negative or cannot fit the " + (bodyEnd - section.position())
                            + " bytes left");
        }
        List<Header> headers = headerCount == 0 ? List.of() : readHeaders(headerCount, start);
        long timestamp = logAppendTime ? logAppendTimestamp : baseTimestamp + timestampDelta;
        return new Record(baseOffset + offsetDelta, timestamp, bodyEnd - start, key, value, headers);
    }

    private List<Header> readHeaders(int count, int start) throws CorruptBatchException {
        Header[] headers = new Header[count];
        for (int i = 0; i < count; i++) {
            String field = "header " + i + " key";
            int keyLength = readLength(field, start);
            if (keyLength < 0) {
                throw error(Problem.INVALID_LENGTH, start, field + " length " + keyLength + " is negative");
            }
            String key = utf8(keyLength);
            ByteBuffer value = readBytes("header " + i + " value", start);
            byte[] valueBytes = null;
            if (value != null) {
                valueBytes = new byte[value.remaining()];
                value.get(valueBytes);
            }
            headers[i] = new Header(key, valueBytes);
        }
        return Collections.unmodifiableList(Arrays.asList(headers));
    }

    /** A length-prefixed byte field: a view of its bytes, or {@code null} for length -1. */
    private ByteBuffer readBytes(String field, int start) throws CorruptBatchException {
        int length = readLength(field, start);
        if (length == -1) {
            return null;
        }
        if (length < -1) {
            throw error(Problem.INVALID_LENGTH, start, field + " length " + length + " is negative");
        }
        ByteBuffer view = readOnlySection.slice(section.position(), length);
        section.position(section.position() + length);
        return view;
    }

    /** Reads a length varint and checks that a non-negative length fits the record's remaining bytes. */
    private int readLength(String field, int start) throws CorruptBatchException {
        int length = readVarint(field + " length", start);
        if (length > section.remaining()) {
            throw error(
                    Problem.INVALID_LENGTH,
                    start,
                    field + " length " + length + " exceeds the " + section.remaining() + " bytes left in the record");
        }
        return length;
    }

    private String utf8(int length) {
        String value;
        if (section.hasArray()) {
            value = new String(
                    section.array(), section.arrayOffset() + section.position(), length, StandardCharsets.UTF_8);
        } else {
            byte[] bytes = new byte[length];
            section.duplicate().get(bytes);
            value = new String(bytes, StandardCharsets.UTF_8);
        }
        section.position(section.position() + length);
        return value;
    }

    private int readVarint(String field, int start) throws CorruptBatchException {
        int position = section.position();
        try {
            return Varints.readVarint(section);
        } catch (MalformedVarintException e) {
            throw error(Problem.INVALID_RECORD, start, field + " at byte " + position + ": " + e.getMessage());
        }
    }

    private long readVarlong(String field, int start) throws CorruptBatchException {
        int position = section.position();
        try {
            return Varints.readVarlong(section);
        } catch (MalformedVarintException e) {
            throw error(Problem.INVALID_RECORD, start, field + " at byte " + position + ": " + e.getMessage());
        }
    }

    private CorruptBatchException error(Problem problem, int recordStart, String detail) {
        return new CorruptBatchException(
                problem, "record " + index + " (at byte " + recordStart + " of the records section): " + detail);
    }
}
