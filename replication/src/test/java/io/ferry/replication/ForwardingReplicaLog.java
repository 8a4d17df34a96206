package io.ferry.replication;

import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** A {@link ReplicaLog} that passes every call to another: tests override the one call they change. */
public class ForwardingReplicaLog implements ReplicaLog {

    protected final ReplicaLog delegate;

    public ForwardingReplicaLog(ReplicaLog delegate) {
        this.delegate = delegate;
    }

    @Override
    public long logStartOffset() {
        return delegate.logStartOffset();
    }

    @Override
    public long logEndOffset() {
        return delegate.logEndOffset();
    }

    @Override
    public long highWatermark() {
        return delegate.highWatermark();
    }

    @Override
    public long updateHighWatermark(long offset) {
        return delegate.updateHighWatermark(offset);
    }

    @Override
    public LogAppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) throws LogAppendException {
        return delegate.appendAsLeader(batches, leaderEpoch);
    }

    @Override
    public LogAppendInfo appendAsFollower(ByteBuffer batches) throws LogAppendException {
        return delegate.appendAsFollower(batches);
    }

    @Override
    public void truncateTo(long offset) {
        delegate.truncateTo(offset);
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        delegate.truncateFullyAndStartAt(offset);
    }

    @Override
    public boolean advanceLogStartOffset(long offset) {
        return delegate.advanceLogStartOffset(offset);
    }

    @Override
    public OptionalInt latestEpoch() {
        return delegate.latestEpoch();
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return delegate.endOffsetForEpoch(epoch);
    }

    @Override
    public LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive) throws OffsetOutOfRangeException {
        return delegate.read(offset, maxBytes, maxOffsetExclusive);
    }

    @Override
    public OptionalLong offsetForTimestamp(long timestampMs) {
        return delegate.offsetForTimestamp(timestampMs);
    }

    @Override
    public void assignEpochStartOffset(int leaderEpoch) {
        delegate.assignEpochStartOffset(leaderEpoch);
    }

    @Override
    public long sizeInBytes() {
        return delegate.sizeInBytes();
    }

    @Override
    public int segmentCount() {
        return delegate.segmentCount();
    }
}
