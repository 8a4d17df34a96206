package io.ferry.client.internal;

import io.ferry.client.FetchedBatch;
import io.ferry.client.FetchedBatch.End;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the bytes a leader returned for one partition into {@link FetchedBatch}es, checking each
 * header (never the records) and finding where each batch ends in offsets, as {@link FetchedBatch}
 * describes. The walk stops after the first batch that is not framed, since nothing after it can be
 * found, and before any batch whose end is not confirmed (by its own valid header or by the batch
 * after it) unless that batch comes first: a fetch from its base offset returns it first, followed by
 * the batches that confirm its end. So a reader continues from the last batch's
 * {@link FetchedBatch#nextOffset()}, and meets a doubtful batch only at the start of an answer.
 *
 * <p>Stateless; safe on any bytes.
 */
public final class BatchWalker {

    private BatchWalker() {}

    /** A batch as the first pass found it: its header view, whether framed, and its header's problem. */
    private record Found(int position, RecordBatch batch, boolean framed, CorruptBatchException problem) {}

    /**
     * @param bytes         the batches as fetched; read from position to limit, not moved
     * @param fetchOffset   the offset that was asked for: the first batch holds it
     * @param highWatermark the high watermark the leader answered with (no batch ends above it), or -1
     *                      when unknown
     */
    public static List<FetchedBatch> walk(ByteBuffer bytes, long fetchOffset, long highWatermark) {
        List<Found> found = scan(bytes);
        List<FetchedBatch> out = new ArrayList<>(found.size());
        long expected = fetchOffset;
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            FetchedBatch batch = locate(f, i + 1 < found.size() ? found.get(i + 1) : null, expected, highWatermark);
            boolean confirmed = batch.end() == End.HEADER || batch.end() == End.NEXT_BATCH;
            if (!confirmed && i > 0) {
                break; // read again from its base offset, where it comes first
            }
            out.add(batch);
            if (!confirmed) {
                break;
            }
            expected = batch.nextOffset();
        }
        return out;
    }

    /** Every framed batch, then the unframed rest (if any bytes are left) as one last batch. */
    private static List<Found> scan(ByteBuffer bytes) {
        BatchScanner scanner = BatchScanner.of(bytes);
        List<Found> found = new ArrayList<>();
        while (true) {
            int position = scanner.position();
            RecordBatch batch;
            try {
                batch = scanner.nextShallow();
            } catch (CorruptBatchException e) {
                ByteBuffer rest = bytes.duplicate().position(bytes.position() + position);
                RecordBatch header = rest.remaining() < RecordBatch.HEADER_SIZE ? null : wrap(rest);
                found.add(new Found(position, header, false, e));
                return found;
            }
            if (batch == null) {
                return found;
            }
            found.add(new Found(position, batch, true, check(batch)));
        }
    }

    private static RecordBatch wrap(ByteBuffer rest) {
        try {
            return RecordBatch.wrap(rest);
        } catch (CorruptBatchException e) {
            throw new AssertionError("checked the header size first", e);
        }
    }

    /**
     * The header's problem, or null: {@link RecordBatch#validate()}, and an offset range that does not
     * overflow (the CRC leaves the base offset out).
     */
    private static CorruptBatchException check(RecordBatch batch) {
        try {
            batch.validate();
        } catch (CorruptBatchException e) {
            return e;
        }
        if (batch.baseOffset() < 0 || batch.nextOffset() <= batch.baseOffset()) {
            return new CorruptBatchException(
                    Problem.INVALID_RECORD_COUNT,
                    "base offset " + batch.baseOffset() + " and last offset delta " + batch.lastOffsetDelta()
                            + " give no valid offset range");
        }
        return null;
    }

    private static FetchedBatch locate(Found f, Found following, long expected, long highWatermark) {
        long base = f.batch() == null ? expected : f.batch().baseOffset();
        if (f.problem() == null) {
            return new FetchedBatch(
                    f.position(), f.batch(), true, base, null, f.batch().nextOffset(), End.HEADER);
        }
        if (following != null
                && following.framed()
                && following.batch().baseOffset() > base
                && (highWatermark < 0 || following.batch().baseOffset() < highWatermark)) {
            return new FetchedBatch(
                    f.position(),
                    f.batch(),
                    f.framed(),
                    base,
                    f.problem(),
                    following.batch().baseOffset(),
                    End.NEXT_BATCH);
        }
        if (f.batch() != null && consistent(f.batch(), expected, highWatermark)) {
            return new FetchedBatch(
                    f.position(),
                    f.batch(),
                    f.framed(),
                    base,
                    f.problem(),
                    f.batch().nextOffset(),
                    End.UNCHECKED_HEADER);
        }
        return new FetchedBatch(f.position(), f.batch(), f.framed(), base, f.problem(), -1, End.UNKNOWN);
    }

    /**
     * Whether a header that failed its checks still agrees with itself: a record count that fits the
     * last offset delta, an offset range that does not overflow, ends after the offset that was expected
     * and not above the high watermark.
     */
    private static boolean consistent(RecordBatch header, long expected, long highWatermark) {
        long base = header.baseOffset();
        int delta = header.lastOffsetDelta();
        int count = header.recordCount();
        if (base < 0 || delta < 0 || count < 0 || count - 1 > delta || base > Long.MAX_VALUE - delta - 1) {
            return false;
        }
        long next = base + delta + 1;
        return next > expected && (highWatermark < 0 || next <= highWatermark);
    }
}
