package io.ferry.record.internal;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.ferry.record.CorruptBatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * zstd as Kafka's clients write it: zstd-jni's streaming compressor at level 3 (Kafka's default), so
 * the frame carries no content size, flushed once before it is closed. Reading streams the output, so a frame cannot make the reader
 * allocate more than the limit whatever its header claims. zstd itself sizes its native window from the
 * frame header, up to its default maximum (2^27 bytes), exactly as it does inside Kafka's clients:
 * Kafka's highest levels legitimately use windows that large.
 */
public final class ZstdCodec implements Codec {

    private static final String NAME = "zstd";
    /** Kafka's {@code compression.zstd.level} default, which is zstd's own default level. */
    private static final int LEVEL = 3;

    @Override
    public void compress(byte[] source, int offset, int length, ByteSink out) {
        try (ZstdOutputStreamNoFinalizer zstd =
                new ZstdOutputStreamNoFinalizer(out, RecyclingBufferPool.INSTANCE, LEVEL)) {
            zstd.write(source, offset, length);
            // Kafka's writer flushes once before closing (its BufferedOutputStream does on close), which
            // ends a block early; doing the same keeps the bytes identical to Kafka's.
            zstd.flush();
        } catch (IOException e) {
            // ByteSink never throws IOException; zstd reports its own failures as ZstdIOException.
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void decompress(byte[] source, int offset, int length, ByteSink out, int limit)
            throws CorruptBatchException {
        try (ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(
                new ByteArrayInputStream(source, offset, length), RecyclingBufferPool.INSTANCE)) {
            Codec.drain(zstd, out, limit, NAME);
        } catch (IOException | RuntimeException e) {
            throw Codec.invalid(NAME, e);
        }
    }
}
