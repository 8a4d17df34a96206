package io.ferry.storage;

import java.nio.ByteBuffer;

/**
 * Whole batches read from a log, and the log's bounds at the time of the read.
 *
 * <p>{@code records} is a read-only view of a memory-mapped segment, not a copy, so it can be handed to
 * the network without copying (e.g. protobuf's {@code UnsafeByteOperations.unsafeWrap}). It stays valid
 * and unchanged, even after the log truncates, deletes or closes the segment, until {@code lease} is
 * released; the reader releases it once nothing reads {@code records} any more (reading them afterwards
 * can crash the JVM), and a deleted segment is unmapped when its last lease goes.
 *
 * @param records        the batches, position 0 to limit; empty when there is nothing to read
 * @param logStartOffset the log start offset when read
 * @param logEndOffset   the log end offset when read
 * @param lease          keeps {@code records} mapped until released
 */
public record LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset, BufferLease lease) {

    /** A result whose records are no slice of a segment (nothing read, or a copy). */
    public LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset) {
        this(records, logStartOffset, logEndOffset, BufferLease.NONE);
    }

    public boolean isEmpty() {
        return !records.hasRemaining();
    }
}
