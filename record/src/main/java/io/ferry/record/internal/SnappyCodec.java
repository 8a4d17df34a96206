package io.ferry.record.internal;

import io.ferry.record.CorruptBatchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/**
 * snappy in the framing of snappy-java's {@code SnappyOutputStream}, which is what Kafka's clients
 * write: a 16-byte header (magic {@code 0x82 "SNAPPY" 0x00}, version 1, minimum compatible version 1)
 * then chunks of a big-endian int32 compressed length and a raw snappy block of at most 32 KiB input.
 *
 * <p>Reading follows {@code SnappyInputStream}: a header may reappear between chunks (concatenated
 * streams), and input without the header is one raw snappy block. The framing is parsed here rather
 * than by {@code SnappyInputStream} so that every length is checked against the bytes present and the
 * output limit before anything is allocated.
 */
public final class SnappyCodec implements Codec {

    private static final String NAME = "snappy";
    private static final byte[] MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int VERSION = 1;
    private static final int MIN_COMPATIBLE_VERSION = 1;
    private static final int HEADER_SIZE = MAGIC.length + 8;
    /** The first four magic bytes read as a chunk length: the start of a concatenated stream. */
    private static final int MAGIC_HEAD = ByteSink.getIntBE(MAGIC, 0);
    /** {@code SnappyOutputStream}'s default block size, which Kafka uses. */
    private static final int BLOCK_SIZE = 32 * 1024;
    /**
     * No snappy element expands by more than 64 output bytes per 3 input bytes, so a block that claims a
     * larger ratio is lying about its length; checking it keeps allocation tied to real input.
     */
    private static final int MAX_EXPANSION = 32;

    @Override
    public void compress(byte[] source, int offset, int length, ByteSink out) {
        out.write(MAGIC, 0, MAGIC.length);
        out.writeIntBE(VERSION);
        out.writeIntBE(MIN_COMPATIBLE_VERSION);
        try {
            for (int position = offset, end = offset + length; position < end; position += BLOCK_SIZE) {
                int blockLength = Math.min(BLOCK_SIZE, end - position);
                out.ensureSpare(4 + Snappy.maxCompressedLength(blockLength));
                int compressed = Snappy.compress(source, position, blockLength, out.array(), out.size() + 4);
                out.writeIntBE(compressed);
                out.advance(compressed);
            }
        } catch (IOException e) {
            // snappy compresses any input; an IOException here means the native library is broken.
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void decompress(byte[] source, int offset, int length, ByteSink out, int limit)
            throws CorruptBatchException {
        if (!hasHeader(source, offset, length)) {
            uncompressBlock(source, offset, length, out, limit, "raw snappy block at 0");
            return;
        }
        int end = offset + length;
        int position = readHeader(source, offset, offset);
        while (position < end) {
            if (end - position < 4) {
                throw Codec.invalid(NAME, "chunk length at " + (position - offset) + " is cut short");
            }
            int chunkLength = ByteSink.getIntBE(source, position);
            if (chunkLength == MAGIC_HEAD && hasHeader(source, position, end - position)) {
                position = readHeader(source, position, offset);
                continue;
            }
            position += 4;
            if (chunkLength < 0 || chunkLength > end - position) {
                throw Codec.invalid(
                        NAME,
                        "chunk length " + chunkLength + " at " + (position - 4 - offset) + " does not fit the "
                                + (end - position) + " bytes left");
            }
            uncompressBlock(source, position, chunkLength, out, limit, "chunk at " + (position - 4 - offset));
            position += chunkLength;
        }
    }

    private static boolean hasHeader(byte[] source, int offset, int length) {
        if (length < HEADER_SIZE) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (source[offset + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static int readHeader(byte[] source, int position, int offset) throws CorruptBatchException {
        int version = ByteSink.getIntBE(source, position + MAGIC.length);
        if (version < MIN_COMPATIBLE_VERSION) {
            throw Codec.invalid(
                    NAME,
                    "stream version " + version + " at " + (position - offset) + " is older than "
                            + MIN_COMPATIBLE_VERSION);
        }
        return position + HEADER_SIZE;
    }

    private static void uncompressBlock(byte[] source, int offset, int length, ByteSink out, int limit, String where)
            throws CorruptBatchException {
        int uncompressedLength;
        try {
            uncompressedLength = Snappy.uncompressedLength(source, offset, length);
        } catch (IOException | RuntimeException e) {
            throw Codec.invalid(NAME, e);
        }
        if (uncompressedLength < 0 || uncompressedLength > (long) length * MAX_EXPANSION) {
            throw Codec.invalid(NAME, where + " claims " + uncompressedLength + " bytes from " + length);
        }
        if (uncompressedLength > limit - out.size()) {
            throw new CorruptBatchException(
                    CorruptBatchException.Problem.DECOMPRESSED_TOO_LARGE,
                    NAME + " records decompress to more than the limit of " + limit + " bytes");
        }
        out.ensureSpare(uncompressedLength);
        int actual;
        try {
            actual = Snappy.uncompress(source, offset, length, out.array(), out.size());
        } catch (IOException | RuntimeException e) {
            throw Codec.invalid(NAME, e);
        }
        if (actual != uncompressedLength) {
            throw Codec.invalid(NAME, where + " claims " + uncompressedLength + " bytes but yields " + actual);
        }
        out.advance(actual);
    }
}
