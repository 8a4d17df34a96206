package io.ferry.record;

import static io.ferry.record.CorruptionTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.testing.Batches;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BatchScanner#position()} is always the length of the valid prefix: what recovery keeps. */
class BatchScannerTest {

    private static ByteBuffer batch(CompressionType type, int records, long seed) {
        return TestRecord.buildWithFerry(type, KafkaInteropTest.mixedRecords(records, 30, seed));
    }

    private static ByteBuffer concat(List<ByteBuffer> parts) {
        int size = parts.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(size);
        parts.forEach(p -> all.put(p.duplicate()));
        return all.flip();
    }

    @Test
    void walksConcatenatedBatchesToACleanEnd() throws Exception {
        ByteBuffer a = batch(CompressionType.NONE, 3, 1);
        ByteBuffer b = batch(CompressionType.ZSTD, 4, 2);
        ByteBuffer c = batch(CompressionType.LZ4, 5, 3);
        BatchScanner scanner = BatchScanner.of(concat(List.of(a, b, c)));
        assertEquals(3, scanner.next().recordCount());
        assertEquals(a.remaining(), scanner.position());
        assertEquals(CompressionType.ZSTD, scanner.next().compression());
        assertEquals(5, scanner.next().recordCount());
        assertEquals(a.remaining() + b.remaining() + c.remaining(), scanner.position());
        assertNull(scanner.next());
        assertNull(scanner.next());
    }

    @Test
    void aCorruptBatchEndsTheValidPrefixBeforeIt() throws Exception {
        ByteBuffer a = batch(CompressionType.NONE, 3, 1);
        ByteBuffer b = batch(CompressionType.GZIP, 4, 2);
        ByteBuffer bad = Batches.copy(batch(CompressionType.SNAPPY, 2, 3));
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) + 1));
        BatchScanner scanner = BatchScanner.of(concat(List.of(a, b, bad, a)));
        scanner.next();
        scanner.next();
        assertProblem(Problem.CRC_MISMATCH, scanner::next);
        assertEquals(a.remaining() + b.remaining(), scanner.position());
    }

    @Test
    void aTornTailIsTruncatedAtTheLastWholeBatch() throws Exception {
        ByteBuffer a = batch(CompressionType.LZ4, 3, 1);
        ByteBuffer b = batch(CompressionType.NONE, 4, 2);
        ByteBuffer all = concat(List.of(a, b));
        for (int tail = 1; tail < b.remaining(); tail++) {
            BatchScanner scanner = BatchScanner.of(all.slice(0, a.remaining() + tail));
            assertNotNull(scanner.next());
            assertProblem(Problem.TRUNCATED, scanner::next);
            assertEquals(a.remaining(), scanner.position());
        }
    }

    @Test
    void shallowScanChecksFramingButNotTheCrc() throws Exception {
        ByteBuffer bad = Batches.copy(batch(CompressionType.NONE, 2, 3));
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) + 1));
        ByteBuffer all = concat(List.of(bad, batch(CompressionType.NONE, 1, 4)));
        BatchScanner shallow = BatchScanner.of(all);
        assertNotNull(shallow.nextShallow());
        assertNotNull(shallow.nextShallow());
        assertNull(shallow.nextShallow());
        assertEquals(all.remaining(), shallow.position());

        ByteBuffer zeroes = concat(List.of(batch(CompressionType.NONE, 1, 5), ByteBuffer.allocate(100)));
        BatchScanner scanner = BatchScanner.of(zeroes);
        assertNotNull(scanner.nextShallow());
        // A preallocated, zero-filled tail: length 0 is smaller than any batch.
        assertProblem(Problem.INVALID_LENGTH, scanner::nextShallow);
        assertEquals(zeroes.remaining() - 100, scanner.position());
    }

    @Test
    void positionCountsFromTheBuffersOwnPositionWhichIsLeftAlone() throws Exception {
        ByteBuffer a = batch(CompressionType.NONE, 2, 6);
        ByteBuffer padded = ByteBuffer.allocate(a.remaining() + 10);
        padded.position(10);
        padded.put(a.duplicate());
        padded.position(10);
        BatchScanner scanner = BatchScanner.of(padded);
        RecordBatch first = scanner.next();
        assertEquals(a.remaining(), scanner.position());
        assertEquals(10, padded.position());
        assertEquals(2, first.recordCount());
        assertNull(scanner.next());
    }

    @Test
    void aLengthNearIntegerMaxValueIsReportedAsSentNotWrappedNegative() {
        ByteBuffer batch = Batches.copy(batch(CompressionType.NONE, 1, 7));
        batch.putInt(RecordBatch.LENGTH_OFFSET, Integer.MAX_VALUE);

        CorruptBatchException scanned =
                assertProblem(Problem.TRUNCATED, () -> BatchScanner.of(batch).next());
        CorruptBatchException validated =
                assertProblem(Problem.TRUNCATED, () -> RecordBatch.wrap(batch).validate());

        assertTrue(scanned.getMessage().contains("length 2147483647 (2147483659 bytes)"), scanned.getMessage());
        assertTrue(validated.getMessage().contains("length 2147483647 says 2147483659 bytes"), validated.getMessage());
    }

    @Test
    void fewerBytesThanALengthField() {
        for (int size = 1; size < RecordBatch.LOG_OVERHEAD; size++) {
            BatchScanner scanner = BatchScanner.of(ByteBuffer.allocate(size));
            assertProblem(Problem.TRUNCATED, scanner::next);
            assertEquals(0, scanner.position());
        }
    }
}
