package io.ferry.client.internal;

import io.ferry.client.ConsumerConfig.OffsetReset;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.CorruptRecordBatchException;
import java.util.ArrayDeque;

/**
 * A consumer's state for one assigned partition: its position (the offset of the next record to
 * return), a pending reset, and records fetched but not yet returned. Owned by the consumer's thread.
 *
 * <p>Invariant: when {@link #buffered} is not empty, its first record's offset is at or after
 * {@link #position}, and {@link #bufferEnd} is where the fetched bytes ended. The buffer holds at
 * most two fetch answers: the next fetch goes out (from {@link #fetchOffset}) while the first is
 * still being drained, and {@link #fetchedAhead} stops a third until the buffer is empty. A batch
 * that cannot be decoded ends a fetch answer: it waits in {@link #corrupt}, right after the buffered
 * records (at {@link #bufferEnd}, or at {@link #position} when none are buffered), and no further fetch
 * goes out until the consumer has reported or skipped it.
 */
public final class PartitionFetchState {

    /** Offset of the next record to return; -1 when there is none yet. */
    public long position = -1;
    /** A reset asked for by seekToBeginning/seekToEnd or an out-of-range answer; null when none. */
    public OffsetReset pendingReset;

    public final ArrayDeque<ConsumerRecord> buffered = new ArrayDeque<>();
    /** Offset after the last fetched batch; the position once {@link #buffered} drains. */
    public long bufferEnd = -1;
    /** An answer was added behind records still buffered: no further fetch until the buffer drains. */
    public boolean fetchedAhead;
    /** The undecodable batch where the buffered records end; null when none. */
    public CorruptRecordBatchException corrupt;

    public boolean needsPosition() {
        return position < 0 || pendingReset != null;
    }

    /** Where the next fetch starts: after the buffered records if there are any, else the position. */
    public long fetchOffset() {
        return bufferEnd >= 0 ? bufferEnd : position;
    }

    /** Whether a fetch may go out now: the position is known and the buffer has room for one more answer. */
    public boolean fetchable() {
        return !needsPosition() && !fetchedAhead && corrupt == null;
    }

    public void seek(long offset) {
        position = offset;
        pendingReset = null;
        clearBuffer();
    }

    public void clearBuffer() {
        buffered.clear();
        bufferEnd = -1;
        fetchedAhead = false;
        corrupt = null;
    }
}
