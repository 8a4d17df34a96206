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

    private Compressors() {
    }

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
     * {@code limit} bytes. A {@code NONE} section is returned as a view, without copying.
     */
    static ByteBuffer decompress(CompressionType type, ByteBuffer compressed, int limit) throws CorruptBatchException {
        if (type == CompressionType.NONE) {
            return compressed.slice();
        }
        byte[] array;
        int offset;
        int length = compressed.remaining();
        if (compressed.hasArray()) {
            array = compressed.array();
            offset = compressed.arrayOffset() + compressed.position();
        } else {
            // Codecs work on arrays; a direct or mapped batch is copied once, sized by the bytes present.
            array = new byte[length];
            compressed.duplicate().get(array);
            offset = 0;
        }
        int expected = (int) Math.min(limit, Math.max(1024L, (long) length * EXPECTED_RATIO));
        ByteSink out = new ByteSink(expected, limit + 1);
        codec(type).decompress(array, offset, length, out, limit);
        return ByteBuffer.wrap(out.array(), 0, out.size()).slice();
    }
}
