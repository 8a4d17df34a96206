package io.ferry.record;

import io.ferry.record.internal.ByteSink;
import io.ferry.record.internal.Codec;
import io.ferry.record.internal.GzipCodec;
import io.ferry.record.internal.Lz4FrameCodec;
import io.ferry.record.internal.SnappyCodec;
import io.ferry.record.internal.ZstdCodec;
import java.nio.ByteBuffer;

/**
 * Compresses and decompresses the records section of a batch, as Kafka's clients frame each codec.
 * The codecs are stateless and thread-safe, so one instance of each serves every caller.
 */
final class Compressors {

    private static final Codec GZIP = new GzipCodec();
    private static final Codec SNAPPY = new SnappyCodec();
    private static final Codec LZ4 = new Lz4FrameCodec();
    private static final Codec ZSTD = new ZstdCodec();

    /** First guess at the decompressed size, as a multiple of the compressed size; the sink grows from there. */
    private static final int EXPECTED_RATIO = 4;

    private Compressors() {}

    private static Codec codec(CompressionType type) {
        return switch (type) {
            case GZIP -> GZIP;
            case SNAPPY -> SNAPPY;
            case LZ4 -> LZ4;
            case ZSTD -> ZSTD;
            case NONE -> throw new IllegalArgumentException("NONE has no codec");
        };
    }

    /**
     * Appends the compressed form of {@code source[offset, offset + length)} to {@code out}.
     *
     * @throws IllegalArgumentException for {@code NONE}, which the builder writes in place
     */
    static void compress(CompressionType type, byte[] source, int offset, int length, ByteSink out) {
        codec(type).compress(source, offset, length, out);
    }

    /**
     * The decompressed form of {@code compressed} (position to limit; the buffer is not moved), at most
     * {@code limit} bytes, in arrays of its own: the caller may keep views of it. A {@code NONE} section is
     * returned as a view, without copying.
     */
    static ByteBuffer decompress(CompressionType type, ByteBuffer compressed, int limit) throws CorruptBatchException {
        if (type == CompressionType.NONE) {
            return compressed.slice();
        }
        ByteSink out = new ByteSink(expectedSize(compressed.remaining(), limit), limit + 1);
        decompressInto(type, compressed, limit, out, null);
        return ByteBuffer.wrap(out.array(), 0, out.size()).slice();
    }

    /**
     * Applies {@code scan} to the decompressed form of {@code compressed}, as {@link #decompress} gives it,
     * but decompressed into arrays this thread reuses from one call to the next: a leader checks every
     * compressed batch it is sent and drops the records after, so the arrays serve the next batch instead
     * of being garbage. The section passed to {@code scan} is valid only during the call.
     */
    static <T> T scanDecompressed(CompressionType type, ByteBuffer compressed, int limit, SectionScan<T> scan)
            throws CorruptBatchException {
        if (type == CompressionType.NONE) {
            return scan.apply(compressed.slice());
        }
        Scratch scratch = SCRATCH.get();
        if (scratch.busy) {
            // Only a scan that decompresses another batch gets here; it works in arrays of its own.
            return scan.apply(decompress(type, compressed, limit));
        }
        scratch.busy = true;
        try {
            ByteSink out = scratch.output(expectedSize(compressed.remaining(), limit), limit + 1);
            decompressInto(type, compressed, limit, out, scratch);
            return scan.apply(ByteBuffer.wrap(out.array(), 0, out.size()).slice());
        } finally {
            scratch.release();
        }
    }

    /** What {@link #scanDecompressed} applies to a records section. */
    @FunctionalInterface
    interface SectionScan<T> {
        T apply(ByteBuffer section) throws CorruptBatchException;
    }

    private static int expectedSize(int compressedLength, int limit) {
        return (int) Math.min(limit, Math.max(1024L, (long) compressedLength * EXPECTED_RATIO));
    }

    /**
     * Decompresses into {@code out}. Codecs work on arrays: a direct or mapped batch is copied first, into
     * {@code scratch}'s input array when there is one, else into a new array sized by the bytes present.
     */
    private static void decompressInto(
            CompressionType type, ByteBuffer compressed, int limit, ByteSink out, Scratch scratch)
            throws CorruptBatchException {
        byte[] array;
        int offset;
        int length = compressed.remaining();
        if (compressed.hasArray()) {
            array = compressed.array();
            offset = compressed.arrayOffset() + compressed.position();
        } else {
            array = scratch == null ? new byte[length] : scratch.input(length);
            compressed.duplicate().get(array, 0, length);
            offset = 0;
        }
        codec(type).decompress(array, offset, length, out, limit);
    }

    /**
     * One thread's reusable arrays for {@link #scanDecompressed}. Arrays above {@link #RETAINED_BYTES} are
     * dropped after the call, so an idle thread holds little; the common batch (well under a megabyte
     * decompressed) allocates nothing once its thread has warmed up.
     */
    private static final class Scratch {

        private static final int RETAINED_BYTES = 1 << 20;

        private byte[] input = new byte[0];
        private ByteSink output;
        private boolean busy;

        byte[] input(int length) {
            if (input.length < length) {
                input = new byte[length];
            }
            return input;
        }

        ByteSink output(int expected, int maxCapacity) {
            if (output == null) {
                output = new ByteSink(expected, maxCapacity);
            } else {
                output.reset(maxCapacity);
            }
            return output;
        }

        void release() {
            busy = false;
            if (input.length > RETAINED_BYTES) {
                input = new byte[0];
            }
            if (output != null && output.array().length > RETAINED_BYTES) {
                output = null;
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
