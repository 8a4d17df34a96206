package io.ferry.record.testing;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.internal.Varints;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Test helpers that assemble batches from hand-made parts and re-seal them after tampering: for tests of
 * every module that must feed a reader, a log or a broker bytes no honest producer writes. Published in
 * the record module's test jar.
 */
public final class Batches {

    private Batches() {}

    /**
     * A batch around an arbitrary (already compressed, if {@code type} says so) records section, with a
     * correct CRC so that what is tested is the section, not the checksum.
     */
    public static ByteBuffer withSection(CompressionType type, int recordCount, int lastOffsetDelta, byte[] section) {
        ByteBuffer batch = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + section.length);
        batch.putLong(0L)
                .putInt(batch.capacity() - RecordBatch.LOG_OVERHEAD)
                .putInt(-1)
                .put(RecordBatch.MAGIC)
                .putInt(0)
                .putShort((short) type.id)
                .putInt(lastOffsetDelta)
                .putLong(1000L)
                .putLong(2000L)
                .putLong(-1L)
                .putShort((short) -1)
                .putInt(-1)
                .putInt(recordCount)
                .put(section);
        return reseal(batch.flip());
    }

    /** Recomputes the CRC of the batch held by {@code batch} (position to limit), in place. */
    public static ByteBuffer reseal(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(batch.position() + RecordBatch.ATTRIBUTES_OFFSET));
        batch.putInt(batch.position() + RecordBatch.CRC_OFFSET, (int) crc.getValue());
        return batch;
    }

    /** The records section of a built batch (compressed, if it is). */
    public static byte[] section(ByteBuffer batch) {
        ByteBuffer s = batch.duplicate().position(batch.position() + RecordBatch.HEADER_SIZE);
        byte[] bytes = new byte[s.remaining()];
        s.get(bytes);
        return bytes;
    }

    public static ByteBuffer copy(ByteBuffer buffer) {
        return ByteBuffer.allocate(buffer.remaining()).put(buffer.duplicate()).flip();
    }

    /** Writes raw record fields, so tests can state exactly which one lies. */
    public static final class RawSection {
        private final ByteBuffer out = ByteBuffer.allocate(4096);

        public RawSection varint(int value) {
            Varints.writeVarint(value, out);
            return this;
        }

        public RawSection varlong(long value) {
            Varints.writeVarlong(value, out);
            return this;
        }

        public RawSection bytes(byte... bytes) {
            out.put(bytes);
            return this;
        }

        /** A well-formed record with no headers: key and value of the given bytes (null for absent). */
        public RawSection record(int offsetDelta, byte[] key, byte[] value) {
            RawSection body = new RawSection().bytes((byte) 0).varlong(0).varint(offsetDelta);
            body.field(key).field(value).varint(0);
            byte[] b = body.toByteArray();
            return varint(b.length).bytes(b);
        }

        public RawSection field(byte[] bytes) {
            if (bytes == null) {
                return varint(-1);
            }
            return varint(bytes.length).bytes(bytes);
        }

        public byte[] toByteArray() {
            byte[] bytes = new byte[out.position()];
            out.duplicate().flip().get(bytes);
            return bytes;
        }
    }
}
