package io.ferry.replication;

import io.ferry.storage.BufferLease;
import io.ferry.storage.EpochEndOffset;
import java.nio.ByteBuffer;

/**
 * The leader's answer to a follower for one partition.
 *
 * @param error          null on success
 * @param divergingEpoch non-null when the follower's log stops agreeing with the leader's: the largest epoch the
 *                       leader knows at or below the follower's last fetched epoch, and where it ends on the
 *                       leader; the follower truncates before fetching again (no records then)
 * @param records        whole batches from the fetch offset up to the leader's log end offset
 * @param lease          keeps {@code records} readable until released (see {@link PartitionRead#lease()}): on the
 *                       leader a slice of its log, on the follower of the buffer the answer was received into
 */
public record ReplicaFetchResult(
        PartitionError error,
        long highWatermark,
        long logStartOffset,
        long logEndOffset,
        EpochEndOffset divergingEpoch,
        ByteBuffer records,
        BufferLease lease)
        implements PartitionRead {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** An answer whose records are no loan (a copy, or none). */
    public ReplicaFetchResult(
            PartitionError error,
            long highWatermark,
            long logStartOffset,
            long logEndOffset,
            EpochEndOffset divergingEpoch,
            ByteBuffer records) {
        this(error, highWatermark, logStartOffset, logEndOffset, divergingEpoch, records, BufferLease.NONE);
    }

    public static ReplicaFetchResult failed(PartitionError error) {
        return new ReplicaFetchResult(error, -1, -1, -1, null, EMPTY);
    }

    public static ReplicaFetchResult diverging(
            EpochEndOffset divergingEpoch, long highWatermark, long logStartOffset, long logEndOffset) {
        return new ReplicaFetchResult(null, highWatermark, logStartOffset, logEndOffset, divergingEpoch, EMPTY);
    }

    static ReplicaFetchResult empty(long highWatermark, long logStartOffset, long logEndOffset) {
        return new ReplicaFetchResult(null, highWatermark, logStartOffset, logEndOffset, null, EMPTY);
    }

    ReplicaFetchResult withoutRecords() {
        return empty(highWatermark, logStartOffset, logEndOffset);
    }
}
