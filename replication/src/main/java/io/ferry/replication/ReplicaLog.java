package io.ferry.replication;

import io.ferry.replication.internal.StorageReplicaLog;
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
 * The part of a partition's log that replication uses, so that ISR and high-watermark logic can be
 * tested without files. {@link #of} adapts the storage log; offsets and semantics are
 * {@link Log}'s. Implementations are thread-safe.
 */
public interface ReplicaLog {

    long logStartOffset();

    long logEndOffset();

    long highWatermark();

    /** Stores the high watermark, clamped to [log start, log end]; returns the value stored. */
    long updateHighWatermark(long offset);

    /** Validates all of {@code batches} first; nothing is written when it throws. */
    LogAppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) throws LogAppendException;

    /**
     * Appends batches copied from the leader, keeping their offsets and epochs; the first must start at
     * the log end offset.
     */
    LogAppendInfo appendAsFollower(ByteBuffer batches) throws LogAppendException;

    /**
     * Removes every batch at or after {@code offset} (the batch holding it goes whole), and every epoch
     * entry that starts at or after the resulting log end, even when no batch goes: a follower's last
     * fetched epoch must be one its log holds records of (see {@link Log#truncateTo}).
     */
    void truncateTo(long offset);

    /** Empties the log and starts it at {@code offset}. */
    void truncateFullyAndStartAt(long offset);

    /** Moves the log start up to {@code offset}, at most the log end (see {@link Log#advanceLogStartOffset}). */
    boolean advanceLogStartOffset(long offset);

    /** The epoch of the log's last epoch entry, if any. */
    OptionalInt latestEpoch();

    /** Where {@code epoch} ends in this log (KIP-279 semantics, see {@link Log#endOffsetForEpoch}). */
    EpochEndOffset endOffsetForEpoch(int epoch);

    /** Whole batches from the one holding {@code offset}, none reaching {@code maxOffsetExclusive}. */
    LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive) throws OffsetOutOfRangeException;

    /** The first offset whose batch max timestamp is at least {@code timestampMs}. */
    OptionalLong offsetForTimestamp(long timestampMs);

    /** Records that {@code leaderEpoch} starts at the log end offset. */
    void assignEpochStartOffset(int leaderEpoch);

    long sizeInBytes();

    int segmentCount();

    /**
     * The storage log as a replica log.
     *
     * @param failures gets each {@link StorageException} of the log (its directory failed) before the
     *                 caller does
     */
    static ReplicaLog of(Log log, Consumer<StorageException> failures) {
        return new StorageReplicaLog(log, failures);
    }
}
