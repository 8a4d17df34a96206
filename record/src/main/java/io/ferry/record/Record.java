package io.ferry.record;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One record decoded from a batch. Key and value are read-only views of the batch's (decompressed)
 * bytes, not copies: they stay valid as long as those bytes are not overwritten.
 *
 * <p>Immutable; safe to share once the batch bytes are no longer modified.
 */
public final class Record {

    private final long offset;
    private final long timestamp;
    private final int sizeInBytes;
    private final ByteBuffer key;
    private final ByteBuffer value;
    private final List<Header> headers;

    Record(long offset, long timestamp, int sizeInBytes, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        this.offset = offset;
        this.timestamp = timestamp;
        this.sizeInBytes = sizeInBytes;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    /** Log offset: the batch's base offset plus this record's offset delta. */
    public long offset() {
        return offset;
    }

    /**
     * Milliseconds since the epoch: base timestamp plus delta (CreateTime), or the batch's max timestamp
     * for a LogAppendTime batch.
     */
    public long timestamp() {
        return timestamp;
    }

    /** Encoded size in the (decompressed) records section, including the length varint. */
    public int sizeInBytes() {
        return sizeInBytes;
    }

    public boolean hasKey() {
        return key != null;
    }

    /** A read-only view of the key, position 0; {@code null} when the record has none. */
    public ByteBuffer key() {
        return key == null ? null : key.duplicate();
    }

    /** Key length in bytes, or -1 for no key. */
    public int keySize() {
        return key == null ? -1 : key.remaining();
    }

    public boolean hasValue() {
        return value != null;
    }

    /** A read-only view of the value, position 0; {@code null} for a tombstone. */
    public ByteBuffer value() {
        return value == null ? null : value.duplicate();
    }

    /** Value length in bytes, or -1 for a tombstone. */
    public int valueSize() {
        return value == null ? -1 : value.remaining();
    }

    /** A copy of the key, or {@code null}. */
    public byte[] keyBytes() {
        return copy(key);
    }

    /** A copy of the value, or {@code null}. */
    public byte[] valueBytes() {
        return copy(value);
    }

    /** Headers in record order; unmodifiable. */
    public List<Header> headers() {
        return headers;
    }

    private static byte[] copy(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public String toString() {
        return "Record(offset=" + offset + ", timestamp=" + timestamp + ", key=" + keySize() + " bytes, value="
                + valueSize() + " bytes, headers=" + headers.size() + ")";
    }
}
