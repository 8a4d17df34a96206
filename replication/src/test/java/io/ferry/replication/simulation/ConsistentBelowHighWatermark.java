package io.ferry.replication.simulation;

import io.ferry.record.RecordBatch;
import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.simulation.PartitionHistory.Committed;
import java.util.Arrays;

/**
 * {@link Invariant#CONSISTENT_BELOW_HIGH_WATERMARK}. Every batch below a replica's high watermark is the
 * batch committed at its offset, so no two replicas hold different batches below their high watermarks.
 * The one exception is a replica still holding a committed batch that was lost while more replicas had
 * failed than the budget allows: its high watermark belongs to a history that no longer exists, and its
 * next fetch truncates it.
 *
 * <p>Checked whenever a replica's high watermark covers batches it did not cover before (after a
 * truncation, the batches from the new end on are checked again).
 */
final class ConsistentBelowHighWatermark {

    private final PartitionHistory history;
    /** Per broker: the offset below which its batches were checked. */
    private final long[] checked;

    ConsistentBelowHighWatermark(PartitionHistory history, int maxBrokerId) {
        this.history = history;
        this.checked = new long[maxBrokerId + 1];
        Arrays.fill(checked, 0);
    }

    void truncated(int broker, long newEnd) {
        checked[broker] = Math.min(checked[broker], newEnd);
    }

    void sampled(int broker, MemoryReplicaLog log, long highWatermark) {
        if (highWatermark <= checked[broker]) {
            return;
        }
        for (RecordBatch b : log.batchesStartingIn(checked[broker], highWatermark)) {
            Committed c = history.committedAt(b.baseOffset());
            boolean same = c != null && c.batch().id == b.producerId() && c.batch().baseOffset == b.baseOffset();
            if (!same && !history.isLostBeyondBudget(b.producerId())) {
                throw new InvariantViolation(
                        Invariant.CONSISTENT_BELOW_HIGH_WATERMARK,
                        "broker " + broker
                                + " holds batch " + b.producerId() + " at offset " + b.baseOffset() + " of "
                                + history.tp
                                + ", below its high watermark " + highWatermark + ", where "
                                + (c == null ? "no leader committed anything" : "the committed batch is " + c.batch()));
            }
        }
        checked[broker] = highWatermark;
    }
}
