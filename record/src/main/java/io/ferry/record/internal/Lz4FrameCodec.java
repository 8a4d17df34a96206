package io.ferry.record.internal;

import io.ferry.record.CorruptBatchException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 frame format (lz4 spec {@code lz4_Frame_format.md}) as Kafka's clients write it: frame
 * descriptor version 01, independent blocks, no block or content checksum, no content size, 64 KiB
 * maximum block size, a correct header checksum (the second byte of xxHash32 over FLG and BD), blocks
 * compressed with the fast LZ4 compressor (Kafka's default level) or stored raw when compression does
 * not shrink them, and an end mark. lz4-java provides only the block compressor and xxHash32.
 *
 * <p>Reading accepts the optional frame fields (content size, block and content checksums, any block
 * size from 64 KiB to 4 MiB) and checks every checksum present. It rejects dependent blocks and
 * dictionaries, which Kafka never writes and cannot read. Bytes after the end mark are ignored, as
 * Kafka's reader ignores them.
 */
public final class Lz4FrameCodec implements Codec {

    private static final String NAME = "lz4";
    private static final int MAGIC = 0x184D2204;
    private static final int VERSION = 1;
    private static final int FLG_BLOCK_INDEPENDENT = 1 << 5;
    private static final int FLG_BLOCK_CHECKSUM = 1 << 4;
    private static final int FLG_CONTENT_SIZE = 1 << 3;
    private static final int FLG_CONTENT_CHECKSUM = 1 << 2;
    private static final int FLG_RESERVED = 1 << 1;
    private static final int FLG_DICTIONARY_ID = 1;
    private static final int BD_RESERVED = 0x8F;
    /** BD block-size id 4: 64 KiB blocks, what Kafka writes. */
    private static final int BLOCK_SIZE_ID = 4;

    private static final int BLOCK_SIZE = blockSize(BLOCK_SIZE_ID);
    private static final int INCOMPRESSIBLE = 0x80000000;

    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;
    private final XXHash32 xxhash;

    public Lz4FrameCodec() {
        LZ4Factory lz4 = LZ4Factory.fastestInstance();
        this.compressor = lz4.fastCompressor();
        this.decompressor = lz4.safeDecompressor();
        this.xxhash = XXHashFactory.fastestInstance().hash32();
    }

    private static int blockSize(int id) {
        return 1 << (2 * id + 8);
    }

    @Override
    public void compress(byte[] source, int offset, int length, ByteSink out) {
        out.writeIntLE(MAGIC);
        int descriptor = out.size();
        out.write(VERSION << 6 | FLG_BLOCK_INDEPENDENT);
        out.write(BLOCK_SIZE_ID << 4);
        out.write(headerChecksum(out.array(), descriptor, 2));
        for (int position = offset, end = offset + length; position < end; position += BLOCK_SIZE) {
            int blockLength = Math.min(BLOCK_SIZE, end - position);
            int maxCompressed = compressor.maxCompressedLength(blockLength);
            out.ensureSpare(4 + Math.max(maxCompressed, blockLength));
            int compressed =
                    compressor.compress(source, position, blockLength, out.array(), out.size() + 4, maxCompressed);
            if (compressed >= blockLength) {
                out.writeIntLE(blockLength | INCOMPRESSIBLE);
                out.write(source, position, blockLength);
            } else {
                out.writeIntLE(compressed);
                out.advance(compressed);
            }
        }
        out.writeIntLE(0);
    }

    private int headerChecksum(byte[] array, int offset, int length) {
        return (xxhash.hash(array, offset, length, 0) >> 8) & 0xFF;
    }

    @Override
    public void decompress(byte[] source, int offset, int length, ByteSink out, int limit)
            throws CorruptBatchException {
        int end = offset + length;
        if (length < 7 || ByteSink.getIntLE(source, offset) != MAGIC) {
            throw Codec.invalid(NAME, "no LZ4 frame magic at 0");
        }
        int flg = source[offset + 4] & 0xFF;
        int bd = source[offset + 5] & 0xFF;
        if (flg >>> 6 != VERSION || (flg & FLG_RESERVED) != 0 || (bd & BD_RESERVED) != 0) {
            throw Codec.invalid(
                    NAME,
                    "frame descriptor FLG=0x" + Integer.toHexString(flg) + " BD=0x" + Integer.toHexString(bd)
                            + " has an unknown version or reserved bits set");
        }
        if ((flg & FLG_DICTIONARY_ID) != 0 || (flg & FLG_BLOCK_INDEPENDENT) == 0) {
            throw Codec.invalid(NAME, "frame uses a dictionary or dependent blocks, which Kafka never writes");
        }
        int blockSizeId = (bd >>> 4) & 0x07;
        if (blockSizeId < 4) {
            throw Codec.invalid(NAME, "block size id " + blockSizeId + " is not one of 4-7");
        }
        int maxBlockSize = blockSize(blockSizeId);
        boolean blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
        boolean contentChecksum = (flg & FLG_CONTENT_CHECKSUM) != 0;
        int descriptorLength = 2 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0);
        int position = offset + 4 + descriptorLength;
        if (position >= end) {
            throw Codec.invalid(NAME, "frame descriptor is cut short");
        }
        int expectedChecksum = headerChecksum(source, offset + 4, descriptorLength);
        if ((source[position] & 0xFF) != expectedChecksum) {
            throw Codec.invalid(
                    NAME,
                    "frame descriptor checksum is 0x" + Integer.toHexString(source[position] & 0xFF) + ", expected 0x"
                            + Integer.toHexString(expectedChecksum));
        }
        position++;
        while (true) {
            if (end - position < 4) {
                throw Codec.invalid(NAME, "frame ends at " + (position - offset) + " without an end mark");
            }
            int blockHeader = ByteSink.getIntLE(source, position);
            position += 4;
            if (blockHeader == 0) {
                break;
            }
            int blockLength = blockHeader & ~INCOMPRESSIBLE;
            int checksumLength = blockChecksum ? 4 : 0;
            if (blockLength > maxBlockSize || blockLength > end - position - checksumLength) {
                throw Codec.invalid(
                        NAME,
                        "block length " + blockLength + " at " + (position - 4 - offset) + " exceeds the block maximum "
                                + maxBlockSize + " or the bytes left");
            }
            if (blockChecksum
                    && ByteSink.getIntLE(source, position + blockLength)
                            != xxhash.hash(source, position, blockLength, 0)) {
                throw Codec.invalid(NAME, "block checksum mismatch for the block at " + (position - 4 - offset));
            }
            if ((blockHeader & INCOMPRESSIBLE) != 0) {
                out.write(source, position, blockLength);
            } else {
                // Room for a whole block: bounded by the 4 MiB block maximum, not by anything the input claims.
                out.ensureSpare(maxBlockSize);
                try {
                    out.advance(decompressor.decompress(
                            source, position, blockLength, out.array(), out.size(), maxBlockSize));
                } catch (RuntimeException e) {
                    throw Codec.invalid(NAME, e);
                }
            }
            Codec.checkLimit(out, limit, NAME);
            position += blockLength + checksumLength;
        }
        if (contentChecksum) {
            if (end - position < 4) {
                throw Codec.invalid(NAME, "content checksum is cut short");
            }
            if (ByteSink.getIntLE(source, position) != xxhash.hash(out.array(), 0, out.size(), 0)) {
                throw Codec.invalid(NAME, "content checksum mismatch");
            }
        }
    }
}
