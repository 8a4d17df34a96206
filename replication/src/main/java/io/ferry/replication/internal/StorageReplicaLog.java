package io.ferry.replication.internal;

import io.ferry.replication.ReplicaLog;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * {@link ReplicaLog} over a storage {@link Log}: delegation, and every {@link StorageException} the log
 * throws (its directory failed at the I/O level) is first reported to {@code failures}, then rethrown
 * for the partition to handle.
 */
public final class StorageReplicaLog implements ReplicaLog {

    /** A call on the log that may also throw {@code E}. */
    @FunctionalInterface
    private interface LogCall<T, E extends Exception> {
        T call() throws E;
    }

    private final Log log;
    private final Consumer<StorageException> failures;

    public StorageReplicaLog(Log log, Consumer<StorageException> failures) {
        this.log = log;
        this.failures = failures;
    }

    private <T, E extends Exception> T reporting(LogCall<T, E> call) throws E {
        try {
            return call.call();
        } catch (StorageException e) {
            failures.accept(e);
            throw e;
        }
    }

    @Override
    public long logStartOffset() {
        return log.logStartOffset();
    }

    @Override
    public long logEndOffset() {
        return log.logEndOffset();
    }

    @Override
    public long highWatermark() {
        return log.highWatermark();
    }

    @Override
    public long updateHighWatermark(long offset) {
        return log.updateHighWatermark(offset);
    }

    @Override
    public LogAppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) throws LogAppendException {
        return reporting(() -> log.appendAsLeader(batches, leaderEpoch));
    }

    @Override
    public LogAppendInfo appendAsFollower(ByteBuffer batches) throws LogAppendException {
        return reporting(() -> log.appendAsFollower(batches));
    }

    @Override
    public void truncateTo(long offset) {
        reporting(() -> log.truncateTo(offset));
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        reporting(() -> {
            log.truncateFullyAndStartAt(offset);
            return null;
        });
    }

    @Override
    public boolean advanceLogStartOffset(long offset) {
        return reporting(() -> log.advanceLogStartOffset(offset));
    }

    @Override
    public OptionalInt latestEpoch() {
        return log.latestEpoch();
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return log.endOffsetForEpoch(epoch);
    }

    @Override
    public LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive) throws OffsetOutOfRangeException {
        return reporting(() -> log.read(offset, maxBytes, maxOffsetExclusive));
    }

    @Override
    public OptionalLong offsetForTimestamp(long timestampMs) {
        return reporting(() -> log.offsetForTimestamp(timestampMs));
    }

    @Override
    public void assignEpochStartOffset(int leaderEpoch) {
        reporting(() -> {
            log.assignEpochStartOffset(leaderEpoch);
            return null;
        });
    }

    @Override
    public long sizeInBytes() {
        return log.sizeInBytes();
    }

    @Override
    public int segmentCount() {
        return log.segmentCount();
    }
}
