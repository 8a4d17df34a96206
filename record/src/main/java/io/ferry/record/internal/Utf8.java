package io.ferry.record.internal;

import java.nio.ByteBuffer;

/**
 * UTF-8 encoding straight into a buffer, byte-identical to {@code String.getBytes(UTF_8)} (an unpaired
 * surrogate becomes {@code '?'}), so header keys cost no intermediate array on the producer path.
 */
public final class Utf8 {

    private Utf8() {}

    /** The number of bytes {@link #write} produces for {@code s}. */
    public static int encodedLength(String s) {
        int length = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1;
            } else {
                length += 3;
            }
        }
        return length;
    }

    /** Writes {@code s} as UTF-8 at {@code out}'s position, advancing it by {@link #encodedLength}. */
    public static void write(String s, ByteBuffer out) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.put((byte) c);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | c >> 6));
                out.put((byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.put((byte) (0xF0 | cp >> 18));
                out.put((byte) (0x80 | cp >> 12 & 0x3F));
                out.put((byte) (0x80 | cp >> 6 & 0x3F));
                out.put((byte) (0x80 | cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out.put((byte) '?');
            } else {
                out.put((byte) (0xE0 | c >> 12));
                out.put((byte) (0x80 | c >> 6 & 0x3F));
                out.put((byte) (0x80 | c & 0x3F));
            }
        }
    }
}
