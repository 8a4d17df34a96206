package io.ferry.record.testing;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.testing.Batches.RawSection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Every batch a leader must refuse although its framing and CRC-32C are valid: before record
 * validation, each of these was acknowledged, stored and replicated, and then stopped every consumer of
 * its partition. The storage tests feed them to a log, the system tests to a running broker.
 */
public final class PoisonBatches {

    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] V = "value".getBytes(StandardCharsets.UTF_8);

    /**
     * One poison batch.
     *
     * @param name   what is wrong, for test names
     * @param error  the error code a leader answers, by name: {@code INVALID_RECORD} or {@code INVALID_TIMESTAMP}
     * @param detail words the error message must contain
     * @param bytes  the batch, with a valid CRC; read it through a duplicate
     */
    public record Poison(String name, String error, String detail, ByteBuffer bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private PoisonBatches() {}

    /** A producer's valid batch of {@code count} records stamped {@code timestamp}. */
    public static ByteBuffer good(CompressionType type, long timestamp, int count) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(type);
        for (int i = 0; i < count; i++) {
            builder.append(timestamp, K, ("value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    /**
     * The catalogue, for a leader whose clock reads {@code nowMs} and whose topic has the default
     * timestamp settings (CreateTime, no bound into the past, one hour into the future).
     */
    public static List<Poison> all(long nowMs) {
        ByteBuffer three = good(CompressionType.NONE, nowMs, 3);
        byte[] oneRecord = new RawSection().record(0, K, V).toByteArray();
        return List.of(
                invalid(
                        "count above the records present",
                        "declares 4 records",
                        Batches.withSection(CompressionType.NONE, 4, 3, Batches.section(three))),
                invalid(
                        "count below the records present",
                        "bytes follow the last",
                        Batches.withSection(CompressionType.NONE, 2, 1, Batches.section(three))),
                invalid(
                        "negative key length",
                        "key length -5",
                        Batches.withSection(
                                CompressionType.NONE,
                                1,
                                0,
                                record(r -> r.varint(-5).field(V).varint(0)))),
                invalid(
                        "value length overrunning the record",
                        "value length 500",
                        Batches.withSection(
                                CompressionType.NONE,
                                1,
                                0,
                                record(r -> r.field(K).varint(500).bytes(V).varint(0)))),
                invalid(
                        "record length overrunning the batch",
                        "record length 1000",
                        Batches.withSection(
                                CompressionType.NONE,
                                1,
                                0,
                                new RawSection().varint(1000).bytes(V).toByteArray())),
                invalid(
                        "negative header key length",
                        "header 0 key length -3",
                        Batches.withSection(
                                CompressionType.NONE,
                                1,
                                0,
                                record(r ->
                                        r.field(K).field(V).varint(1).varint(-3).field(V)))),
                invalid(
                        "lz4 flag on uncompressed records",
                        "lz4",
                        Batches.withSection(CompressionType.LZ4, 1, 0, oneRecord)),
                invalid(
                        "gzip flag on uncompressed records",
                        "gzip",
                        Batches.withSection(CompressionType.GZIP, 1, 0, oneRecord)),
                invalid(
                        "zstd flag on uncompressed records",
                        "zstd",
                        Batches.withSection(CompressionType.ZSTD, 1, 0, oneRecord)),
                invalid(
                        "snappy flag on uncompressed records",
                        "snappy",
                        Batches.withSection(CompressionType.SNAPPY, 1, 0, oneRecord)),
                invalid(
                        "compressed records that lie about their count",
                        "declares 5 records",
                        forgedInt(
                                forgedInt(good(CompressionType.LZ4, nowMs, 3), RecordBatch.RECORD_COUNT_OFFSET, 5),
                                RecordBatch.LAST_OFFSET_DELTA_OFFSET,
                                4)),
                invalid("transactional bit", "transactional", forgedAttributes(three, RecordBatch.TRANSACTIONAL_MASK)),
                invalid("control bit", "control", forgedAttributes(three, RecordBatch.CONTROL_MASK)),
                invalid(
                        "delete-horizon bit",
                        "delete horizon",
                        forgedAttributes(three, RecordBatch.DELETE_HORIZON_MASK)),
                invalid("undefined attribute bit", "undefined", forgedAttributes(three, 0x100)),
                invalid(
                        "last offset delta beyond the records",
                        "last offset delta 99",
                        forgedInt(good(CompressionType.NONE, nowMs, 1), RecordBatch.LAST_OFFSET_DELTA_OFFSET, 99)),
                invalid(
                        "no records at all",
                        "record count 0",
                        Batches.withSection(CompressionType.NONE, 0, 0, new byte[0])),
                invalid(
                        "record offset deltas out of order",
                        "offset delta 0",
                        Batches.withSection(
                                CompressionType.NONE,
                                2,
                                1,
                                new RawSection().record(1, K, V).record(0, K, V).toByteArray())),
                invalid(
                        "producer id without a sequence",
                        "base sequence -1",
                        Batches.reseal(Batches.copy(three).putLong(RecordBatch.PRODUCER_ID_OFFSET, 42L))),
                invalid(
                        "producer id below -1",
                        "producer id -7",
                        Batches.reseal(Batches.copy(three).putLong(RecordBatch.PRODUCER_ID_OFFSET, -7L))),
                new Poison(
                        "LogAppendTime set by a producer",
                        "INVALID_TIMESTAMP",
                        "marked LogAppendTime",
                        forgedAttributes(three, RecordBatch.TIMESTAMP_TYPE_MASK)),
                new Poison(
                        "timestamp over an hour ahead",
                        "INVALID_TIMESTAMP",
                        "outside",
                        good(CompressionType.NONE, nowMs + 3_600_000L + 60_000L, 2)),
                new Poison(
                        "negative timestamp",
                        "INVALID_TIMESTAMP",
                        "-5",
                        Batches.reseal(Batches.copy(good(CompressionType.NONE, nowMs, 1))
                                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, -5L))));
    }

    private static Poison invalid(String name, String detail, ByteBuffer bytes) {
        return new Poison(name, "INVALID_RECORD", detail, bytes);
    }

    /** One record's section: attributes, timestamp delta 0, offset delta 0, then {@code fields}. */
    private static byte[] record(UnaryOperator<RawSection> fields) {
        byte[] body = fields.apply(new RawSection().bytes((byte) 0).varlong(0).varint(0))
                .toByteArray();
        return new RawSection().varint(body.length).bytes(body).toByteArray();
    }

    /** {@code batch} with the int at {@code field} (a header offset) overwritten and the CRC made right again. */
    private static ByteBuffer forgedInt(ByteBuffer batch, int field, int value) {
        ByteBuffer copy = Batches.copy(batch);
        copy.putInt(field, value);
        return Batches.reseal(copy);
    }

    private static ByteBuffer forgedAttributes(ByteBuffer batch, int attributes) {
        ByteBuffer copy = Batches.copy(batch);
        copy.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) attributes);
        return Batches.reseal(copy);
    }
}
