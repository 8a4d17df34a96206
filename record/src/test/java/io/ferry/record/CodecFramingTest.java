package io.ferry.record;

import static io.ferry.record.CorruptionTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.internal.ByteSink;
import io.ferry.record.internal.Codec;
import io.ferry.record.internal.Lz4FrameCodec;
import io.ferry.record.internal.SnappyCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyOutputStream;

/** The codec framings against the reference implementations of each format. */
class CodecFramingTest {

    private static byte[] data(int size, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = i % 3 == 0 ? (byte) random.nextInt() : (byte) ('a' + i % 7);
        }
        return bytes;
    }

    private static byte[] compress(Codec codec, byte[] input) {
        ByteSink out = new ByteSink(64);
        codec.compress(input, 0, input.length, out);
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    private static byte[] decompress(Codec codec, byte[] input, int limit) throws CorruptBatchException {
        ByteSink out = new ByteSink(16, limit + 1);
        codec.decompress(input, 0, input.length, out, limit);
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 200_000})
    void snappyMatchesSnappyOutputStreamByteForByte(int size) throws Exception {
        byte[] input = data(size, size);
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        try (SnappyOutputStream snappy = new SnappyOutputStream(reference)) {
            snappy.write(input);
        }
        assertArrayEquals(reference.toByteArray(), compress(new SnappyCodec(), input));
        assertArrayEquals(input, decompress(new SnappyCodec(), reference.toByteArray(), size));
    }

    @Test
    void snappyReadsRawBlocksAndConcatenatedStreams() throws Exception {
        SnappyCodec codec = new SnappyCodec();
        byte[] input = data(5000, 1);
        assertArrayEquals(input, decompress(codec, Snappy.compress(input), 10_000));

        byte[] once = compress(codec, input);
        byte[] twice = new byte[once.length * 2];
        System.arraycopy(once, 0, twice, 0, once.length);
        System.arraycopy(once, 0, twice, once.length, once.length);
        byte[] expected = new byte[input.length * 2];
        System.arraycopy(input, 0, expected, 0, input.length);
        System.arraycopy(input, 0, expected, input.length, input.length);
        assertArrayEquals(expected, decompress(codec, twice, 20_000));
    }

    @Test
    void snappyRejectsLyingLengthsBeforeAllocating() throws Exception {
        SnappyCodec codec = new SnappyCodec();
        // A raw block whose length varint claims 2^31-1 bytes from a handful of input bytes.
        byte[] claim = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00};
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, claim, Integer.MAX_VALUE - 16));

        byte[] framed = compress(codec, data(1000, 2));
        ByteBuffer.wrap(framed).putInt(16, Integer.MAX_VALUE); // first chunk length
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, framed, 10_000));
        ByteBuffer.wrap(framed).putInt(16, -5);
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, framed, 10_000));

        byte[] old = compress(codec, data(1000, 2));
        ByteBuffer.wrap(old).putInt(8, 0); // stream version 0
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, old, 10_000));

        byte[] big = compress(codec, new byte[100_000]);
        assertProblem(Problem.DECOMPRESSED_TOO_LARGE, () -> decompress(codec, big, 50_000));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 300_000})
    void lz4ReadsFramesWithEveryOptionalField(int size) throws Exception {
        byte[] input = data(size, size);
        Lz4FrameCodec codec = new Lz4FrameCodec();
        for (BLOCKSIZE blockSize : BLOCKSIZE.values()) {
            for (Bits[] bits : new Bits[][] {
                {Bits.BLOCK_INDEPENDENCE},
                {Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM},
                {Bits.BLOCK_INDEPENDENCE, Bits.CONTENT_CHECKSUM},
                {Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM, Bits.CONTENT_CHECKSUM, Bits.CONTENT_SIZE}
            }) {
                ByteArrayOutputStream frame = new ByteArrayOutputStream();
                boolean hasSize = bits.length == 4;
                try (LZ4FrameOutputStream lz4 = hasSize
                        ? new LZ4FrameOutputStream(frame, blockSize, size, bits)
                        : new LZ4FrameOutputStream(frame, blockSize, bits)) {
                    lz4.write(input);
                }
                assertArrayEquals(input, decompress(codec, frame.toByteArray(), Math.max(1, size)));
            }
        }
    }

    @Test
    void lz4ChecksumsAreVerified() throws Exception {
        Lz4FrameCodec codec = new Lz4FrameCodec();
        byte[] input = data(100_000, 3);
        byte[] ours = compress(codec, input);
        assertArrayEquals(input, decompress(codec, ours, input.length));

        byte[] badHeader = ours.clone();
        badHeader[6] ^= 1; // the header checksum byte
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, badHeader, input.length));

        ByteArrayOutputStream checked = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(
                checked, BLOCKSIZE.SIZE_64KB, Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM, Bits.CONTENT_CHECKSUM)) {
            lz4.write(input);
        }
        byte[] frame = checked.toByteArray();
        byte[] badContent = frame.clone();
        badContent[badContent.length - 1] ^= 1;
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, badContent, input.length));
        byte[] badBlock = frame.clone();
        badBlock[20] ^= 1; // inside the first block's data
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, badBlock, input.length));

        byte[] noEndMark = java.util.Arrays.copyOf(ours, ours.length - 4);
        assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, noEndMark, input.length));

        // lz4-java writes only independent blocks: clear the flag by hand and re-seal the descriptor.
        byte[] dependent = ours.clone();
        dependent[4] &= ~(1 << 5);
        dependent[6] = (byte) (XXHashFactory.fastestInstance().hash32().hash(dependent, 4, 2, 0) >> 8);
        String message = assertProblem(Problem.INVALID_COMPRESSION, () -> decompress(codec, dependent, input.length))
                .getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(message.contains("dependent blocks"), message);

        assertProblem(Problem.DECOMPRESSED_TOO_LARGE, () -> decompress(codec, ours, input.length - 1));
    }
}
