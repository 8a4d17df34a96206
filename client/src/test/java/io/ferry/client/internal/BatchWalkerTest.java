package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FetchedBatch;
import io.ferry.client.FetchedBatch.End;
import io.ferry.client.PoisonBatches;
import io.ferry.client.PoisonBatches.Kind;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where each fetched batch ends, and where a walk stops, for valid, corrupt and unreadable batches. */
class BatchWalkerTest {

    private static final long TS = 1_700_000_000_000L;

    /** Five-record batches at the given base offsets, the ones named in {@code badCrc} with a CRC mismatch. */
    private static ByteBuffer log(List<Long> bases, List<Long> badCrc) {
        List<ByteBuffer> batches = new ArrayList<>();
        for (long base : bases) {
            batches.add(PoisonBatches.at(
                    base,
                    badCrc.contains(base)
                            ? PoisonBatches.poison(Kind.CRC_MISMATCH, "v", 5, TS)
                            : PoisonBatches.good("v", 5, TS)));
        }
        return concat(batches.toArray(ByteBuffer[]::new));
    }

    private static ByteBuffer concat(ByteBuffer... parts) {
        ByteBuffer out = ByteBuffer.allocate(
                java.util.Arrays.stream(parts).mapToInt(ByteBuffer::remaining).sum());
        for (ByteBuffer part : parts) {
            out.put(part.duplicate());
        }
        return out.flip();
    }

    private static List<String> ends(List<FetchedBatch> batches) {
        return batches.stream()
                .map(b -> b.baseOffset() + ".." + b.lastOffset() + " " + b.end())
                .toList();
    }

    @Test
    void validBatchesEndWhereTheirHeadersSay() {
        List<FetchedBatch> batches = BatchWalker.walk(log(List.of(0L, 5L, 10L), List.of()), 7, 15);
        assertEquals(List.of("0..4 HEADER", "5..9 HEADER", "10..14 HEADER"), ends(batches));
        assertTrue(batches.stream().allMatch(b -> b.framed() && b.problem() == null));
        assertEquals(
                List.of(0, batches.get(0).batch().sizeInBytes()),
                List.of(batches.get(0).position(), batches.get(1).position()));
    }

    @Test
    void aBatchWithABadCrcEndsWhereTheNextOneStarts() {
        List<FetchedBatch> batches = BatchWalker.walk(log(List.of(0L, 5L, 10L), List.of(5L)), 0, 15);
        assertEquals(List.of("0..4 HEADER", "5..9 NEXT_BATCH", "10..14 HEADER"), ends(batches));
        assertEquals(Problem.CRC_MISMATCH, batches.get(1).problem().problem());
        assertTrue(batches.get(1).framed());
    }

    @Test
    void aLoneBatchWithABadCrcEndsByItsHeaderOnlyWhenTheHighWatermarkAgrees() {
        assertEquals(List.of("5..9 UNCHECKED_HEADER"), ends(BatchWalker.walk(log(List.of(5L), List.of(5L)), 5, 10)));
        assertEquals(
                List.of("5..-1 UNKNOWN"),
                ends(BatchWalker.walk(log(List.of(5L), List.of(5L)), 5, 8)),
                "a header claiming offsets above the high watermark is not believed");
        assertEquals(
                List.of("5..-1 UNKNOWN"),
                ends(BatchWalker.walk(log(List.of(5L), List.of(5L)), 12, 20)),
                "nor one ending before the offset asked for");
    }

    @Test
    void aBatchWhoseEndIsUnconfirmedIsLeftForAFetchThatStartsWithIt() {
        List<FetchedBatch> batches = BatchWalker.walk(log(List.of(0L, 5L), List.of(5L)), 0, 10);
        assertEquals(List.of("0..4 HEADER"), ends(batches));
    }

    @Test
    void bytesThatDoNotFrameABatchEndTheWalk() {
        ByteBuffer truncated = PoisonBatches.at(5, PoisonBatches.good("v", 5, TS));
        truncated.limit(truncated.limit() - 1);
        ByteBuffer bytes = concat(log(List.of(0L), List.of()), truncated);
        assertEquals(List.of("0..4 HEADER"), ends(BatchWalker.walk(bytes, 0, 10)));

        List<FetchedBatch> alone = BatchWalker.walk(truncated, 5, 10);
        assertEquals(1, alone.size());
        FetchedBatch cut = alone.get(0);
        assertFalse(cut.framed());
        assertEquals(Problem.TRUNCATED, cut.problem().problem());
        assertEquals("5..9 UNCHECKED_HEADER", ends(alone).get(0), "a consistent header still tells its offsets");
    }

    @Test
    void aWrongMagicByteIsReportedWithTheHeaderAsRead() throws Exception {
        ByteBuffer batch = PoisonBatches.at(3, PoisonBatches.good("v", 5, TS));
        batch.put(16, (byte) 7);
        FetchedBatch found = BatchWalker.walk(batch, 3, 100).get(0);
        assertFalse(found.framed());
        assertEquals(Problem.UNSUPPORTED_MAGIC, found.problem().problem());
        assertEquals(7, found.batch().magic());
        CorruptBatchException e = org.junit.jupiter.api.Assertions.assertThrows(
                CorruptBatchException.class, () -> found.readRecords(r -> {}));
        assertEquals(Problem.UNSUPPORTED_MAGIC, e.problem());
    }

    @Test
    void fewerBytesThanAHeaderAreABatchOfUnknownEndWhereOneWasExpected() {
        FetchedBatch junk =
                BatchWalker.walk(ByteBuffer.wrap(new byte[20]), 42, 100).get(0);
        assertNull(junk.batch());
        assertEquals(42, junk.baseOffset());
        assertEquals(End.UNKNOWN, junk.end());
        assertEquals(-1, junk.nextOffset());
    }

    @Test
    void aBaseOffsetThatOverflowsIsAProblemEvenWithAValidCrc() {
        ByteBuffer batch = PoisonBatches.at(Long.MAX_VALUE - 2, PoisonBatches.good("v", 5, TS));
        FetchedBatch found = BatchWalker.walk(batch, Long.MAX_VALUE - 2, -1).get(0);
        assertEquals(Problem.INVALID_RECORD_COUNT, found.problem().problem());
        assertEquals(End.UNKNOWN, found.end());
    }

    @Test
    void readRecordsRefusesARecordOutsideTheBatchsOffsets() {
        FetchedBatch batch = BatchWalker.walk(PoisonBatches.poison(Kind.OFFSET_BEYOND_BATCH, "v", 5, TS), 0, 5)
                .get(0);
        assertNull(batch.problem(), "the header is fine");
        List<Long> read = new ArrayList<>();
        CorruptBatchException e = org.junit.jupiter.api.Assertions.assertThrows(
                CorruptBatchException.class, () -> batch.readRecords(r -> read.add(r.offset())));
        assertEquals(List.of(0L), read, "the record before the bad one was handed over");
        assertEquals(Problem.INVALID_RECORD, e.problem());
        assertEquals("record 1 has offset 25, not above 0 and at most the batch's last offset 4", e.getMessage());
    }
}
