package io.ferry.group.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a record's key or value: big-endian numbers, strings as a short length and UTF-8 (-1 for null), as
 * Kafka's record schemas do. {@link RecordReader} reads what it writes.
 */
final class RecordWriter {

    /** The version every value starts with unless its type has a later one; a reader refuses versions it does not know. */
    static final short VALUE_VERSION = 0;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    /** A writer for a value of version {@link #VALUE_VERSION}, the version already written. */
    static RecordWriter value() {
        return value(VALUE_VERSION);
    }

    /** A writer for a value of {@code version}, the version already written. */
    static RecordWriter value(short version) {
        return new RecordWriter().putShort(version);
    }

    RecordWriter putByte(int b) {
        out.write(b);
        return this;
    }

    RecordWriter putShort(int s) {
        out.write(s >>> 8);
        out.write(s);
        return this;
    }

    RecordWriter putInt(int i) {
        return putShort(i >>> 16).putShort(i);
    }

    RecordWriter putLong(long l) {
        return putInt((int) (l >>> 32)).putInt((int) l);
    }

    /**
     * @throws IllegalArgumentException if the string is longer than a short length can say: callers check
     *     what clients send against smaller limits first
     */
    RecordWriter putString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("a string of " + utf8.length + " bytes does not fit a record");
        }
        putShort(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    RecordWriter putNullableString(String s) {
        return s == null ? putShort(-1) : putString(s);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
