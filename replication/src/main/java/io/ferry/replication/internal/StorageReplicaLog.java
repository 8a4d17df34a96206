package io.ferry.replication.internal;

import io.ferry.replication.ReplicaLog;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** {@link ReplicaLog} over a storage {@link Log}: plain delegation. */
public final class StorageReplicaLog implements ReplicaLog {

    private final Log log;

    public StorageReplicaLog(Log log) {
        this.log = log;
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
        return log.appendAsLeader(batches, leaderEpoch);
    }

    @Override
    public LogAppendInfo appendAsFollower(ByteBuffer batches) throws LogAppendException {
        return log.appendAsFollower(batches);
    }

    @Override
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        log.truncateFullyAndStartAt(offset);
    }

    @Override
    public boolean advanceLogStartOffset(long offset) {
        return log.advanceLogStartOffset(offset);
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
        return log.read(offset, maxBytes, maxOffsetExclusive);
    }

    @Override
    public OptionalLong offsetForTimestamp(long timestampMs) {
        return log.offsetForTimestamp(timestampMs);
    }

    @Override
    public void assignEpochStartOffset(int leaderEpoch) {
        log.assignEpochStartOffset(leaderEpoch);
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
