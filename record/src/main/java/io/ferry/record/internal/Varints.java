package io.ferry.record.internal;

import java.nio.ByteBuffer;

/**
 * Zig-zag varints as protobuf and Kafka's record format encode them. Decoding reports malformed input
 * (too many continuation bytes, buffer exhausted) by returning a sentinel through {@link Decoder} so the
 * caller can raise a typed error naming the field.
 */
public final class Varints {

    private Varints() {}

    public static int sizeOfVarint(int value) {
        return sizeOfUnsigned(Integer.toUnsignedLong((value << 1) ^ (value >> 31)));
    }

    public static int sizeOfVarlong(long value) {
        return sizeOfUnsigned((value << 1) ^ (value >> 63));
    }

    private static int sizeOfUnsigned(long v) {
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    public static void writeVarint(int value, ByteBuffer out) {
        writeUnsigned(Integer.toUnsignedLong((value << 1) ^ (value >> 31)), out);
    }

    public static void writeVarlong(long value, ByteBuffer out) {
        writeUnsigned((value << 1) ^ (value >> 63), out);
    }

    private static void writeUnsigned(long v, ByteBuffer out) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** Thrown for a varint that runs past its buffer or past its maximum width. */
    public static final class MalformedVarintException extends Exception {
        MalformedVarintException(String message) {
            super(message, null, false, false);
        }
    }

    public static int readVarint(ByteBuffer in) throws MalformedVarintException {
        long raw = readUnsigned(in, 5);
        int v = (int) raw;
        return (v >>> 1) ^ -(v & 1);
    }

    public static long readVarlong(ByteBuffer in) throws MalformedVarintException {
        long raw = readUnsigned(in, 10);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static long readUnsigned(ByteBuffer in, int maxBytes) throws MalformedVarintException {
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (!in.hasRemaining()) {
                throw new MalformedVarintException("varint runs past the end of the data");
            }
            byte b = in.get();
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedVarintException("varint longer than " + maxBytes + " bytes");
    }
}
