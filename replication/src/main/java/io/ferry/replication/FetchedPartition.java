package io.ferry.replication;

import java.nio.ByteBuffer;

/**
 * What a fetch returns for one partition.
 *
 * @param error   null on success
 * @param records whole batches below the high watermark; a read-only slice of the log (not a copy), empty if none
 */
public record FetchedPartition(PartitionError error, long highWatermark, long logStartOffset, ByteBuffer records) implements PartitionRead {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    public static FetchedPartition failed(PartitionError error) {
        return new FetchedPartition(error, -1, -1, EMPTY);
    }

    static FetchedPartition empty(long highWatermark, long logStartOffset) {
        return new FetchedPartition(null, highWatermark, logStartOffset, EMPTY);
    }
}
