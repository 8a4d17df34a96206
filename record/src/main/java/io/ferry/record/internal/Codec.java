package io.ferry.record.internal;

import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import java.io.IOException;
import java.io.InputStream;

/**
 * One compression codec, framed exactly as Kafka's Java clients frame it, so batches pass between Ferry
 * and Kafka unchanged. Implementations are stateless and thread-safe.
 */
public interface Codec {

    /** Appends the compressed form of {@code source[offset, offset + length)} to {@code out}. */
    void compress(byte[] source, int offset, int length, ByteSink out);

    /**
     * Appends the decompressed form of {@code source[offset, offset + length)} to {@code out}, which
     * must be empty and capped near {@code limit} (see {@link ByteSink#ByteSink(int, int)}). Stops with {@link Problem#DECOMPRESSED_TOO_LARGE} as soon as the output would
     * exceed {@code limit} bytes, and never allocates much beyond the bytes actually produced.
     *
     * @throws CorruptBatchException {@link Problem#INVALID_COMPRESSION} for input the codec cannot decode
     */
    void decompress(byte[] source, int offset, int length, ByteSink out, int limit) throws CorruptBatchException;

    /** Reads {@code in} to its end into {@code out}, failing once more than {@code limit} bytes come out. */
    static void drain(InputStream in, ByteSink out, int limit, String codec) throws IOException, CorruptBatchException {
        while (true) {
            // Ask for at most one byte past the limit: enough to tell that the limit is exceeded.
            int wanted = Math.min(64 * 1024, limit + 1 - out.size());
            out.ensureSpare(wanted);
            int read = in.read(out.array(), out.size(), wanted);
            if (read < 0) {
                return;
            }
            out.advance(read);
            checkLimit(out, limit, codec);
        }
    }

    static void checkLimit(ByteSink out, int limit, String codec) throws CorruptBatchException {
        if (out.size() > limit) {
            throw new CorruptBatchException(
                    Problem.DECOMPRESSED_TOO_LARGE,
                    codec + " records decompress to more than the limit of " + limit + " bytes");
        }
    }

    static CorruptBatchException invalid(String codec, String detail) {
        return new CorruptBatchException(Problem.INVALID_COMPRESSION, codec + " payload is invalid: " + detail);
    }

    static CorruptBatchException invalid(String codec, Throwable cause) {
        return new CorruptBatchException(
                Problem.INVALID_COMPRESSION, codec + " payload cannot be decompressed: " + cause, cause);
    }
}
