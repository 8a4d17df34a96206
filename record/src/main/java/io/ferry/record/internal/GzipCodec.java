package io.ferry.record.internal;

import io.ferry.record.CorruptBatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip as Kafka's clients write it: one {@code java.util.zip} GZIP member at the default deflate level,
 * 8 KiB deflater buffer. Reading accepts anything {@link GZIPInputStream} does, as Kafka's reader does.
 */
public final class GzipCodec implements Codec {

    private static final String NAME = "gzip";
    private static final int BUFFER_SIZE = 8 * 1024;

    @Override
    public void compress(byte[] source, int offset, int length, ByteSink out) {
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, BUFFER_SIZE)) {
            gzip.write(source, offset, length);
        } catch (IOException e) {
            // ByteSink never throws IOException; only a JDK bug would get here.
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void decompress(byte[] source, int offset, int length, ByteSink out, int limit)
            throws CorruptBatchException {
        try (GZIPInputStream gzip =
                new GZIPInputStream(new ByteArrayInputStream(source, offset, length), BUFFER_SIZE)) {
            Codec.drain(gzip, out, limit, NAME);
        } catch (IOException | RuntimeException e) {
            throw Codec.invalid(NAME, e);
        }
    }
}
