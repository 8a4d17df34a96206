package io.ferry.client;

import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import java.util.function.Consumer;

/**
 * One batch of a partition's fetched bytes, checked as far as its header allows and not yet decoded.
 * {@link FerryAdmin#fetchBatches} lists them for tools that show a log as it is stored, corrupt
 * batches included; the consumer decodes the valid ones and reports the others with their offsets.
 *
 * <p>Where a batch ends, in offsets, decides where reading continues after it. A batch whose header
 * passes its checks (CRC-32C included) says so itself ({@link End#HEADER}). For one whose header
 * fails them, the base offset of the batch that follows it in the same bytes is used
 * ({@link End#NEXT_BATCH}); when none follows, its own last offset delta, but only if the header
 * agrees with itself and with the high watermark ({@link End#UNCHECKED_HEADER}); otherwise the end is
 * {@link End#UNKNOWN}.
 *
 * <p>Immutable; {@link #batch()} is a view of the fetched bytes.
 *
 * @param position   byte position of the batch in the fetched bytes
 * @param batch      the batch's bytes as a header view: exactly the batch when it is {@code framed}, else
 *                   everything from its position to the end of the fetched bytes; {@code null} when fewer
 *                   bytes than a batch header are left
 * @param framed     the batch length fits the fetched bytes and the magic byte is 2, so the batch's bytes
 *                   are known: its records can be tried and the batch after it found
 * @param baseOffset the base offset from the header; without a header, the offset where the batch was
 *                   expected
 * @param problem    what is wrong with the batch's framing or header (length, magic, codec, record count,
 *                   CRC-32C), or {@code null} when they are valid; records are only checked as
 *                   {@link #readRecords} decodes them
 * @param nextOffset offset of the batch after this one, where reading continues past it; -1 when the
 *                   end is {@link End#UNKNOWN}
 * @param end        how {@code nextOffset} was found
 */
public record FetchedBatch(
        int position,
        RecordBatch batch,
        boolean framed,
        long baseOffset,
        CorruptBatchException problem,
        long nextOffset,
        End end) {

    /** How {@link #nextOffset()} was found. */
    public enum End {
        /** From the batch's own header, which passed every check. */
        HEADER,
        /** From the base offset of the batch after it: its own header failed its checks. */
        NEXT_BATCH,
        /** From a header that failed its checks but whose offsets agree with each other and the high watermark. */
        UNCHECKED_HEADER,
        /** Not known: nothing in the fetched bytes says where the batch ends. */
        UNKNOWN
    }

    public FetchedBatch {
        if (!framed && problem == null) {
            throw new IllegalArgumentException("a batch that is not framed has a problem that says why");
        }
        if (framed && batch == null) {
            throw new IllegalArgumentException("a framed batch has its bytes");
        }
        if ((end == End.UNKNOWN) != (nextOffset < 0)) {
            throw new IllegalArgumentException("next offset " + nextOffset + " does not fit end " + end);
        }
    }

    /** Offset of the batch's last record, {@code nextOffset() - 1}; -1 when the end is unknown. */
    public long lastOffset() {
        return nextOffset < 0 ? -1 : nextOffset - 1;
    }

    /**
     * Decodes the records in order and hands each to {@code each}, stopping at the first that cannot be
     * decoded: the ones before it have been handed over. Beyond what the record codec checks, each
     * record's offset must lie above the previous one and within the batch's offsets, because a reader
     * positions itself by record offsets. The header's own {@link #problem()} is not a reason to stop:
     * a tool may want whatever still decodes.
     *
     * @throws CorruptBatchException for the first record that cannot be decoded, or the batch's problem
     *                               when it is not framed (where its records end is unknown)
     */
    public void readRecords(Consumer<Record> each) throws CorruptBatchException {
        if (!framed) {
            throw problem;
        }
        RecordIterator records = batch.records();
        long previous = batch.baseOffset() - 1;
        for (int i = 0; records.hasNext(); i++) {
            Record record = records.next();
            if (record.offset() <= previous || record.offset() > batch.lastOffset()) {
                throw new CorruptBatchException(
                        Problem.INVALID_RECORD,
                        "record " + i + " has offset "
                                + record.offset() + ", not above " + previous + " and at most the batch's last offset "
                                + batch.lastOffset());
            }
            each.accept(record);
            previous = record.offset();
        }
    }

    @Override
    public String toString() {
        return "FetchedBatch(position=" + position + ", offsets=" + baseOffset + ".." + lastOffset() + ", end=" + end
                + (problem == null ? "" : ", problem=" + problem.problem() + ": " + problem.getMessage()) + ")";
    }
}
