package io.ferry.group.internal;

import io.ferry.group.MalformedGroupRecordException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link RecordWriter} wrote, trusting nothing: every read checks the bytes left, every length and
 * count is checked against them before anything is allocated, so a corrupt record is a
 * {@link MalformedGroupRecordException} naming the record and the field, never an out-of-memory error or an
 * index out of bounds.
 */
final class RecordReader {

    private final String what;
    private final ByteBuffer buffer;
    /** The value's version, for a reader of a value; else 0. */
    private final short version;

    /** @param what the record and part read, for messages: "ConsumerGroupMetadata value" */
    RecordReader(String what, byte[] bytes) {
        this(what, ByteBuffer.wrap(bytes), (short) 0);
    }

    private RecordReader(String what, ByteBuffer buffer, short version) {
        this.what = what;
        this.buffer = buffer;
        this.version = version;
    }

    /** A reader of the value of a record of {@code type}, past its version, which must be {@link RecordWriter#VALUE_VERSION}. */
    static RecordReader value(RecordType type, byte[] value) {
        return value(type, value, RecordWriter.VALUE_VERSION);
    }

    /**
     * A reader of the value of a record of {@code type}, past its version, which must be from
     * {@link RecordWriter#VALUE_VERSION} to {@code newestVersion}: {@link #version()} says which.
     */
    static RecordReader value(RecordType type, byte[] value, short newestVersion) {
        RecordReader header = new RecordReader(type.kafkaName() + " value", value);
        short version = header.readShort("version");
        if (version < RecordWriter.VALUE_VERSION || version > newestVersion) {
            throw header.malformed("unknown version " + version + " (this coordinator reads "
                    + (newestVersion == RecordWriter.VALUE_VERSION
                            ? "version " + newestVersion
                            : "versions " + RecordWriter.VALUE_VERSION + " to " + newestVersion)
                    + ")");
        }
        return new RecordReader(header.what, header.buffer, version);
    }

    /** The version of the value this reads. */
    short version() {
        return version;
    }

    /** This reader, at the same position, naming what it reads differently. */
    RecordReader named(String newWhat) {
        return new RecordReader(newWhat, buffer, version);
    }

    byte readByte(String field) {
        need(1, field);
        return buffer.get();
    }

    short readShort(String field) {
        need(2, field);
        return buffer.getShort();
    }

    int readInt(String field) {
        need(4, field);
        return buffer.getInt();
    }

    long readLong(String field) {
        need(8, field);
        return buffer.getLong();
    }

    /** An int that must not be negative: a partition, an epoch. */
    int readNonNegativeInt(String field) {
        int value = readInt(field);
        if (value < 0) {
            throw malformed(field + " is negative: " + value);
        }
        return value;
    }

    String readString(String field) {
        String s = readNullableString(field);
        if (s == null) {
            throw malformed(field + " is null");
        }
        return s;
    }

    String readNullableString(String field) {
        short length = readShort(field + " length");
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw malformed(field + " has length " + length);
        }
        need(length, field);
        ByteBuffer utf8 = buffer.slice(buffer.position(), length);
        buffer.position(buffer.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(utf8).toString();
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    /**
     * The number of elements that follow, each at least {@code minElementBytes} long: a count the bytes left
     * cannot hold is refused before a collection is sized by it.
     */
    int readCount(String field, int minElementBytes) {
        int count = readInt(field + " count");
        if (count < 0 || count > buffer.remaining() / minElementBytes) {
            throw malformed(field + " count " + count + " does not fit the " + buffer.remaining() + " bytes left");
        }
        return count;
    }

    /** Checks that nothing follows the last field. */
    void end() {
        if (buffer.hasRemaining()) {
            throw malformed(buffer.remaining() + " bytes after the last field");
        }
    }

    MalformedGroupRecordException malformed(String problem) {
        return new MalformedGroupRecordException("malformed " + what + ": " + problem);
    }

    private void need(int bytes, String field) {
        if (buffer.remaining() < bytes) {
            throw malformed("truncated: " + field + " needs " + bytes + " bytes, " + buffer.remaining() + " left");
        }
    }
}
