package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.testing.Batches;
import io.ferry.record.testing.Batches.RawSection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of bad input gives a CorruptBatchException with the problem that names it. */
class CorruptionTest {

    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] V = "value".getBytes(StandardCharsets.UTF_8);

    static CorruptBatchException assertProblem(Problem expected, Executable executable) {
        CorruptBatchException e = assertThrows(CorruptBatchException.class, executable);
        assertEquals(expected, e.problem(), e.getMessage());
        return e;
    }

    private static ByteBuffer smallBatch(CompressionType type) {
        return TestRecord.buildWithFerry(type, KafkaInteropTest.mixedRecords(6, 20, 99));
    }

    /**
     * Decodes every record, driving the iterator to the failure; the walker that checks records without
     * decoding them ({@link RecordBatch#scanRecords}) must refuse the same bytes in the same words.
     */
    private static void readAll(RecordBatch batch) throws CorruptBatchException {
        CorruptBatchException walked = null;
        try {
            batch.scanRecords(RecordBatch.DEFAULT_MAX_UNCOMPRESSED_BYTES);
        } catch (CorruptBatchException e) {
            walked = e;
        }
        try {
            RecordIterator records = batch.records();
            while (records.hasNext()) {
                records.next();
            }
        } catch (CorruptBatchException e) {
            assertNotNull(walked, "the walker accepts what the iterator refuses: " + e.getMessage());
            assertEquals(e.problem(), walked.problem(), walked.getMessage());
            assertEquals(e.getMessage(), walked.getMessage());
            throw e;
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void truncatedAtEveryLength(CompressionType type) throws Exception {
        ByteBuffer batch = smallBatch(type);
        int size = batch.remaining();
        assertNull(BatchScanner.of(batch.slice(0, 0)).next());
        for (int length = 1; length < size; length++) {
            ByteBuffer prefix = batch.slice(0, length);
            assertProblem(Problem.TRUNCATED, () -> BatchScanner.of(prefix).next());
            assertProblem(Problem.TRUNCATED, () -> BatchScanner.of(prefix).nextShallow());
            assertProblem(Problem.TRUNCATED, () -> RecordBatch.wrap(prefix).validate());
            if (length >= RecordBatch.HEADER_SIZE) {
                // Without validate(), decoding a cut-short section still fails only with a typed error.
                RecordBatch cut = RecordBatch.wrap(prefix);
                assertThrows(CorruptBatchException.class, () -> readAll(cut), "length " + length);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(bytes = {0, 1, 3, -1})
    void wrongMagic(byte magic) {
        ByteBuffer batch = smallBatch(CompressionType.NONE);
        batch.put(RecordBatch.MAGIC_OFFSET, magic);
        assertProblem(Problem.UNSUPPORTED_MAGIC, () -> BatchScanner.of(batch).next());
        assertProblem(Problem.UNSUPPORTED_MAGIC, () -> BatchScanner.of(batch).nextShallow());
        assertProblem(Problem.UNSUPPORTED_MAGIC, () -> RecordBatch.wrap(batch).validate());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void everyFlippedBitUnderTheCrcIsDetected(CompressionType type) throws Exception {
        ByteBuffer batch = smallBatch(type);
        for (int index = RecordBatch.CRC_OFFSET; index < batch.limit(); index++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer flipped = Batches.copy(batch);
                flipped.put(index, (byte) (flipped.get(index) ^ (1 << bit)));
                CorruptBatchException e = assertThrows(
                        CorruptBatchException.class,
                        () -> BatchScanner.of(flipped).next());
                // A flip in the codec bits can name no codec, which is caught before the CRC.
                assertTrue(
                        e.problem() == Problem.CRC_MISMATCH
                                || e.problem() == Problem.INVALID_COMPRESSION
                                || e.problem() == Problem.INVALID_RECORD_COUNT,
                        e.getMessage());
            }
        }
        batch.put(batch.limit() - 1, (byte) (batch.get(batch.limit() - 1) ^ 1));
        assertProblem(Problem.CRC_MISMATCH, () -> RecordBatch.wrap(batch).validate());
    }

    @Test
    void baseOffsetAndLeaderEpochAreOutsideTheCrc() throws Exception {
        ByteBuffer batch = smallBatch(CompressionType.LZ4);
        RecordBatch view = RecordBatch.wrap(batch);
        view.setBaseOffset(Long.MAX_VALUE / 2);
        view.setPartitionLeaderEpoch(Integer.MAX_VALUE);
        view.validate();
        view.validateRecords();
        assertEquals(Long.MAX_VALUE / 2, BatchScanner.of(batch).next().baseOffset());
    }

    @Test
    void batchLengthThatLies() {
        ByteBuffer longer = smallBatch(CompressionType.NONE);
        longer.putInt(RecordBatch.LENGTH_OFFSET, longer.getInt(RecordBatch.LENGTH_OFFSET) + 1);
        assertProblem(Problem.TRUNCATED, () -> BatchScanner.of(longer).next());
        assertProblem(Problem.TRUNCATED, () -> RecordBatch.wrap(longer).validate());

        ByteBuffer shorter = smallBatch(CompressionType.NONE);
        shorter.putInt(RecordBatch.LENGTH_OFFSET, shorter.getInt(RecordBatch.LENGTH_OFFSET) - 1);
        assertProblem(Problem.INVALID_LENGTH, () -> RecordBatch.wrap(shorter).validate());
        // The scanner frames a one-byte-shorter batch, whose CRC then no longer matches.
        assertProblem(Problem.CRC_MISMATCH, () -> BatchScanner.of(shorter).next());

        for (int length :
                new int[] {-1, 0, RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD - 1, Integer.MIN_VALUE}) {
            ByteBuffer tiny = smallBatch(CompressionType.NONE);
            tiny.putInt(RecordBatch.LENGTH_OFFSET, length);
            assertProblem(Problem.INVALID_LENGTH, () -> BatchScanner.of(tiny).next());
            assertProblem(Problem.INVALID_LENGTH, () -> RecordBatch.wrap(tiny).validate());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7})
    void codecIdThatNamesNoCodec(int id) throws Exception {
        ByteBuffer batch = Batches.withSection(
                CompressionType.NONE, 1, 0, new RawSection().record(0, K, V).toByteArray());
        batch.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) id);
        Batches.reseal(batch);
        assertProblem(Problem.INVALID_COMPRESSION, () -> RecordBatch.wrap(batch).validate());
        assertProblem(Problem.INVALID_COMPRESSION, () -> RecordBatch.wrap(batch).records());
        assertNull(RecordBatch.wrap(batch.duplicate()).compression());
    }

    @Test
    void recordLengthThatLies() {
        byte[] good = new RawSection().record(0, K, V).toByteArray();
        // First byte is the record length varint (small, one byte): make it claim more and less.
        byte[] longer = good.clone();
        longer[0] = (byte) ((good.length) << 1); // zig-zag: the body length plus one
        CorruptBatchException e = assertProblem(
                Problem.INVALID_LENGTH,
                () -> readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, longer))));
        assertTrue(e.getMessage().contains("record 0") && e.getMessage().contains("record length"), e.getMessage());

        byte[] shorter = good.clone();
        shorter[0] = (byte) ((good.length - 2) << 1);
        ByteBuffer shorterBatch = Batches.withSection(CompressionType.NONE, 1, 0, shorter);
        assertProblem(Problem.INVALID_RECORD, () -> readAll(RecordBatch.wrap(shorterBatch)));

        byte[] negative = new RawSection().varint(-3).toByteArray();
        assertProblem(
                Problem.INVALID_LENGTH,
                () -> readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, negative))));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void recordCountThatLiesInEitherDirection(CompressionType type) throws Exception {
        ByteBuffer original = smallBatch(type);
        for (int count : new int[] {7, 100, Integer.MAX_VALUE, 5, 1, 0}) {
            ByteBuffer batch = Batches.copy(original);
            batch.putInt(RecordBatch.RECORD_COUNT_OFFSET, count);
            batch.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, Math.max(count - 1, 0));
            Batches.reseal(batch);
            RecordBatch view = RecordBatch.wrap(batch);
            view.validate(); // the header alone is self-consistent
            CorruptBatchException e = assertProblem(Problem.INVALID_RECORD_COUNT, () -> readAll(view));
            assertTrue(e.getMessage().contains("declares " + count), e.getMessage());
            assertProblem(Problem.INVALID_RECORD_COUNT, view::validateRecords);
        }
        ByteBuffer negative = Batches.copy(original);
        negative.putInt(RecordBatch.RECORD_COUNT_OFFSET, -1);
        Batches.reseal(negative);
        assertProblem(
                Problem.INVALID_RECORD_COUNT, () -> RecordBatch.wrap(negative).validate());
        assertProblem(
                Problem.INVALID_RECORD_COUNT, () -> RecordBatch.wrap(negative).records());

        ByteBuffer beyondDelta = Batches.copy(original);
        beyondDelta.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 2);
        Batches.reseal(beyondDelta);
        assertProblem(
                Problem.INVALID_RECORD_COUNT,
                () -> RecordBatch.wrap(beyondDelta).validate());
    }

    @Test
    void negativeAndOversizedFieldLengths() {
        // Body: attributes, timestamp delta, offset delta, then the key length under test.
        for (int keyLength : new int[] {-2, -100, Integer.MIN_VALUE, 50, Integer.MAX_VALUE}) {
            byte[] body = new RawSection()
                    .bytes((byte) 0)
                    .varlong(0)
                    .varint(0)
                    .varint(keyLength)
                    .bytes(new byte[8])
                    .toByteArray();
            byte[] section = new RawSection().varint(body.length).bytes(body).toByteArray();
            CorruptBatchException e = assertProblem(
                    Problem.INVALID_LENGTH,
                    () -> readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, section))));
            assertTrue(e.getMessage().contains("key length " + keyLength), e.getMessage());
        }
        byte[] badValue = body(r -> r.field(K).varint(-7).varint(0));
        assertTrue(assertProblem(Problem.INVALID_LENGTH, () -> readSingle(badValue))
                .getMessage()
                .contains("value length -7"));

        byte[] badHeaderKey = body(r -> r.field(K).field(V).varint(1).varint(-1).field(V));
        assertTrue(assertProblem(Problem.INVALID_LENGTH, () -> readSingle(badHeaderKey))
                .getMessage()
                .contains("header 0 key"));

        byte[] badHeaderValue = body(r -> r.field(K).field(V).varint(1).field(K).varint(-2));
        assertTrue(assertProblem(Problem.INVALID_LENGTH, () -> readSingle(badHeaderValue))
                .getMessage()
                .contains("header 0 value"));

        byte[] negativeHeaders = body(r -> r.field(K).field(V).varint(-1));
        assertProblem(Problem.INVALID_RECORD, () -> readSingle(negativeHeaders));

        byte[] tooManyHeaders =
                body(r -> r.field(K).field(V).varint(1_000_000).field(K).field(V));
        assertTrue(assertProblem(Problem.INVALID_RECORD, () -> readSingle(tooManyHeaders))
                .getMessage()
                .contains("header count"));
    }

    @Test
    void varintOverflow() {
        byte[] tooLong = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        byte[] raw = new RawSection()
                .bytes((byte) 0)
                .varlong(0)
                .bytes(tooLong)
                .field(K)
                .field(V)
                .varint(0)
                .toByteArray();
        byte[] wrapped = new RawSection().varint(raw.length).bytes(raw).toByteArray();
        CorruptBatchException e = assertProblem(
                Problem.INVALID_RECORD,
                () -> readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, wrapped))));
        assertTrue(e.getMessage().contains("offset delta"), e.getMessage());

        byte[] longVarlong = new byte[11];
        java.util.Arrays.fill(longVarlong, (byte) 0x80);
        byte[] ts = new RawSection().bytes((byte) 0).bytes(longVarlong).toByteArray();
        byte[] tsSection = new RawSection().varint(ts.length).bytes(ts).toByteArray();
        assertTrue(assertProblem(
                        Problem.INVALID_RECORD,
                        () -> readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, tsSection))))
                .getMessage()
                .contains("timestamp delta"));

        byte[] lengthOverflow = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertTrue(assertProblem(
                        Problem.INVALID_RECORD,
                        () -> readAll(
                                RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, lengthOverflow))))
                .getMessage()
                .contains("record length"));
    }

    @Test
    void deepValidationChecksRecordsAgainstTheHeader() throws Exception {
        byte[] repeatedDelta = new RawSection().record(0, K, V).record(0, K, V).toByteArray();
        ByteBuffer batch = Batches.withSection(CompressionType.NONE, 2, 1, repeatedDelta);
        readAll(RecordBatch.wrap(batch)); // decodable
        assertTrue(assertProblem(
                        Problem.INVALID_RECORD, () -> RecordBatch.wrap(batch).validateRecords())
                .getMessage()
                .contains("offset delta"));

        byte[] beyondLast = new RawSection().record(0, K, V).record(5, K, V).toByteArray();
        assertProblem(
                Problem.INVALID_RECORD,
                () -> RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 2, 1, beyondLast))
                        .validateRecords());

        // Batches.withSection writes base timestamp 1000 and max timestamp 2000.
        byte[] body = new RawSection()
                .bytes((byte) 0)
                .varlong(1001)
                .varint(0)
                .field(K)
                .field(V)
                .varint(0)
                .toByteArray();
        byte[] lateSection = new RawSection().varint(body.length).bytes(body).toByteArray();
        assertTrue(assertProblem(
                        Problem.INVALID_RECORD,
                        () -> RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, lateSection))
                                .validateRecords())
                .getMessage()
                .contains("timestamp"));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void decompressionBombStopsAtTheLimit(CompressionType type) throws Exception {
        byte[] zeros = new byte[4 * 1024 * 1024];
        ByteBuffer batch =
                RecordBatchBuilder.create(type).append(1L, null, zeros).build();
        assertTrue(batch.remaining() < 300_000, "compressed to " + batch.remaining());
        RecordBatch view = RecordBatch.wrap(batch);
        view.validate();
        CorruptBatchException e = assertProblem(Problem.DECOMPRESSED_TOO_LARGE, () -> view.records(1024 * 1024));
        assertTrue(e.getMessage().contains(type.configName), e.getMessage());
        assertEquals(zeros.length, view.records(zeros.length + 100).next().valueSize());
        assertThrows(IllegalArgumentException.class, () -> view.records(0));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void garbageCompressedPayloadWithAValidCrc(CompressionType type) {
        byte[] garbage = new byte[200];
        new java.util.Random(7).nextBytes(garbage);
        ByteBuffer batch = Batches.withSection(type, 1, 0, garbage);
        assertProblem(Problem.INVALID_COMPRESSION, () -> RecordBatch.wrap(batch).records());
        // An empty payload is no valid gzip, snappy or lz4 stream; for zstd it is zero frames, so zero records.
        ByteBuffer empty = Batches.withSection(type, 1, 0, new byte[0]);
        CorruptBatchException e = assertThrows(CorruptBatchException.class, () -> readAll(RecordBatch.wrap(empty)));
        assertEquals(
                type == CompressionType.ZSTD ? Problem.INVALID_RECORD_COUNT : Problem.INVALID_COMPRESSION, e.problem());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void compressedPayloadCutShortWithAValidCrc(CompressionType type) {
        ByteBuffer good = TestRecord.buildWithFerry(type, KafkaInteropTest.mixedRecords(40, 200, 5));
        byte[] section = Batches.section(good);
        for (int cut = 1; cut < section.length; cut += Math.max(1, section.length / 50)) {
            byte[] shorter = java.util.Arrays.copyOf(section, section.length - cut);
            ByteBuffer batch = Batches.withSection(type, 40, 39, shorter);
            // Gzip's reader, like Kafka's, may stop cleanly inside a stream; the records then run short.
            assertThrows(CorruptBatchException.class, () -> readAll(RecordBatch.wrap(batch)), type + " cut " + cut);
        }
    }

    private interface BodyWriter {
        void write(RawSection r);
    }

    /** A record body with attributes, timestamp delta 0 and offset delta 0, then what {@code rest} writes. */
    private static byte[] body(BodyWriter rest) {
        RawSection body = new RawSection().bytes((byte) 0).varlong(0).varint(0);
        rest.write(body);
        byte[] b = body.toByteArray();
        return new RawSection().varint(b.length).bytes(b).toByteArray();
    }

    private static void readSingle(byte[] section) throws CorruptBatchException {
        readAll(RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 1, 0, section)));
    }

    @Test
    void iteratorStopsAfterTheFirstCorruption() throws Exception {
        byte[] section = new RawSection().record(0, K, V).varint(-3).toByteArray();
        RecordIterator records = RecordBatch.wrap(Batches.withSection(CompressionType.NONE, 2, 1, section))
                .records();
        assertEquals(0L, records.next().offset());
        assertProblem(Problem.INVALID_LENGTH, records::next);
        assertTrue(!records.hasNext());
        assertThrows(java.util.NoSuchElementException.class, records::next);
    }
}
