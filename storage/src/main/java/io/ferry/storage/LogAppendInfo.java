package io.ferry.storage;

import java.util.concurrent.CompletableFuture;

/**
 * What an append wrote, or, for a producer's retry, what its first attempt wrote.
 *
 * @param firstOffset          offset of the first record appended
 * @param lastOffset           offset of the last record appended; the new log end offset is {@code lastOffset + 1}
 * @param maxTimestamp         largest batch max timestamp appended, milliseconds since the epoch, or -1 if none
 * @param logAppendTimeMs      the leader's clock stamped into the batches, for a LogAppendTime log; -1 otherwise
 * @param recordCount          records appended
 * @param sizeInBytes          bytes appended
 * @param flushed              completes once the records are on disk if the flush policy asked for a flush
 *                             after this append (an acknowledgement the policy covers waits for it), at once
 *                             if it did not; fails with the flush's {@link StorageException}, or with a
 *                             {@link LogAppendException} ({@code REMOVED_BEFORE_FLUSH}) if the records were
 *                             truncated or deleted before an fsync covered them. Completed on the log
 *                             directory's flush thread: what depends on it must not block.
 * @param duplicate            the append was a retry of a producer's batch already in the log: nothing was
 *                             appended ({@code recordCount} and {@code sizeInBytes} are 0), the offsets and
 *                             timestamps are the original's, and {@code flushed} is complete; answer it as a
 *                             success, as Kafka does
 */
public record LogAppendInfo(
        long firstOffset,
        long lastOffset,
        long maxTimestamp,
        long logAppendTimeMs,
        int recordCount,
        int sizeInBytes,
        CompletableFuture<Void> flushed,
        boolean duplicate) {

    /** An append the flush policy did not ask to flush. */
    public LogAppendInfo(
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            long logAppendTimeMs,
            int recordCount,
            int sizeInBytes) {
        this(
                firstOffset,
                lastOffset,
                maxTimestamp,
                logAppendTimeMs,
                recordCount,
                sizeInBytes,
                CompletableFuture.completedFuture(null));
    }

    /** An append that wrote its batches. */
    public LogAppendInfo(
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            long logAppendTimeMs,
            int recordCount,
            int sizeInBytes,
            CompletableFuture<Void> flushed) {
        this(firstOffset, lastOffset, maxTimestamp, logAppendTimeMs, recordCount, sizeInBytes, flushed, false);
    }

    /** The answer to a retry of the batch first appended at {@code [firstOffset, lastOffset]}. */
    public static LogAppendInfo duplicate(long firstOffset, long lastOffset, long maxTimestamp, long logAppendTimeMs) {
        return new LogAppendInfo(
                firstOffset,
                lastOffset,
                maxTimestamp,
                logAppendTimeMs,
                0,
                0,
                CompletableFuture.completedFuture(null),
                true);
    }
}
