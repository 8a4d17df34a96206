package io.ferry.replication;

import io.ferry.storage.BufferLease;
import java.nio.ByteBuffer;

/**
 * What a fetch returns for one partition.
 *
 * @param error   null on success
 * @param records whole batches below the high watermark; a read-only slice of the log (not a copy), empty if none
 * @param lease   keeps {@code records} readable until released (see {@link PartitionRead#lease()})
 */
public record FetchedPartition(
        PartitionError error, long highWatermark, long logStartOffset, ByteBuffer records, BufferLease lease)
        implements PartitionRead {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    public static FetchedPartition failed(PartitionError error) {
        return new FetchedPartition(error, -1, -1, EMPTY, BufferLease.NONE);
    }

    static FetchedPartition empty(long highWatermark, long logStartOffset) {
        return new FetchedPartition(null, highWatermark, logStartOffset, EMPTY, BufferLease.NONE);
    }
}
