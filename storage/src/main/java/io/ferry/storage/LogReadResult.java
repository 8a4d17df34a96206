package io.ferry.storage;

import java.nio.ByteBuffer;

/**
 * Whole batches read from a log, and the log's bounds at the time of the read.
 *
 * <p>{@code records} is a read-only view of a memory-mapped segment, not a copy: it stays valid and
 * unchanged after the log truncates or deletes the segment (the mapping lives as long as the buffer is
 * reachable), so it can be handed to the network without copying (e.g. protobuf's
 * {@code UnsafeByteOperations.unsafeWrap}). It is empty when there is nothing to read.
 *
 * @param records        the batches, position 0 to limit
 * @param logStartOffset the log start offset when read
 * @param logEndOffset   the log end offset when read
 */
public record LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset) {

    public boolean isEmpty() {
        return !records.hasRemaining();
    }
}
