package io.ferry.record.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array that codecs write into: compressed output while building a batch, decompressed
 * records while reading one. It grows by doubling as real bytes arrive, so its size follows the data
 * written, never a length read from untrusted input.
 *
 * <p>Not thread-safe; one sink per compression or decompression.
 */
public final class ByteSink extends OutputStream {

    /** Largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private int maxCapacity;
    private byte[] bytes;
    private int size;

    public ByteSink(int initialCapacity) {
        this(initialCapacity, MAX_ARRAY_SIZE);
    }

    /**
     * @param maxCapacity where doubling stops; a decompressing reader sets it just past its output limit
     *                    so that growing never allocates far beyond what the limit allows
     */
    public ByteSink(int initialCapacity, int maxCapacity) {
        this.maxCapacity = Math.min(maxCapacity, MAX_ARRAY_SIZE);
        this.bytes = new byte[Math.max(16, Math.min(initialCapacity, this.maxCapacity))];
    }

    /**
     * Empties the sink for reuse, keeping its array, with a new cap for doubling (see
     * {@link #ByteSink(int, int)}).
     */
    public void reset(int maxCapacity) {
        this.maxCapacity = Math.min(maxCapacity, MAX_ARRAY_SIZE);
        size = 0;
    }

    /** The backing array; valid from 0 to {@link #size()} until the next write grows it. */
    public byte[] array() {
        return bytes;
    }

    public int size() {
        return size;
    }

    /** Spare capacity after {@link #size()}, without growing. */
    public int spare() {
        return bytes.length - size;
    }

    /**
     * Grows, if needed, so that at least {@code extra} bytes fit after {@link #size()}. Growth doubles but
     * stops at the sink's capacity cap unless {@code size() + extra} itself is larger.
     */
    public void ensureSpare(int extra) {
        if (extra > bytes.length - size) {
            if (extra > MAX_ARRAY_SIZE - size) {
                throw new IllegalStateException("output would exceed " + MAX_ARRAY_SIZE + " bytes");
            }
            int needed = size + extra;
            int doubled = (int) Math.min((long) bytes.length * 2, maxCapacity);
            bytes = Arrays.copyOf(bytes, Math.max(doubled, needed));
        }
    }

    /** Marks {@code count} bytes after {@link #size()}, written directly into {@link #array()}, as used. */
    public void advance(int count) {
        if (count < 0 || count > bytes.length - size) {
            throw new IllegalArgumentException("cannot advance " + count + " bytes with " + spare() + " spare");
        }
        size += count;
    }

    @Override
    public void write(int b) {
        ensureSpare(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        ensureSpare(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** Writes a big-endian int. */
    public void writeIntBE(int value) {
        ensureSpare(4);
        putIntBE(bytes, size, value);
        size += 4;
    }

    /** Writes a little-endian int. */
    public void writeIntLE(int value) {
        ensureSpare(4);
        putIntLE(bytes, size, value);
        size += 4;
    }

    public static void putIntBE(byte[] array, int index, int value) {
        array[index] = (byte) (value >>> 24);
        array[index + 1] = (byte) (value >>> 16);
        array[index + 2] = (byte) (value >>> 8);
        array[index + 3] = (byte) value;
    }

    public static void putIntLE(byte[] array, int index, int value) {
        array[index] = (byte) value;
        array[index + 1] = (byte) (value >>> 8);
        array[index + 2] = (byte) (value >>> 16);
        array[index + 3] = (byte) (value >>> 24);
    }

    public static int getIntBE(byte[] array, int index) {
        return (array[index] & 0xFF) << 24
                | (array[index + 1] & 0xFF) << 16
                | (array[index + 2] & 0xFF) << 8
                | (array[index + 3] & 0xFF);
    }

    public static int getIntLE(byte[] array, int index) {
        return (array[index] & 0xFF)
                | (array[index + 1] & 0xFF) << 8
                | (array[index + 2] & 0xFF) << 16
                | (array[index + 3] & 0xFF) << 24;
    }
}
