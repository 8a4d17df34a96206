package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.internal.FollowerRole;
import io.ferry.replication.internal.LeaderRole;
import io.ferry.replication.internal.OfflineRole;
import io.ferry.replication.internal.ReplicaRole;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.StorageException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * One partition replica on this broker, and the one place that decides its role moves: offline →
 * leader / follower (metadata), leader ↔ follower (leadership changes), any → offline (no leader, or
 * the log failed). An update with an older leader epoch than the current one is ignored.
 *
 * <p>Thread-safety: role changes, appends and follower updates run under this object's lock, so an
 * append always carries the epoch of the leadership that accepted it. Reads take the lock only to
 * check the role; the log read itself is lock-free.
 */
public final class Partition {

    private final TopicPartition tp;
    private final int localBrokerId;
    private final ReplicaLog log;
    /** Guarded by this. */
    private ReplicaRole role = new OfflineRole(-1, "no metadata applied yet");

    public Partition(TopicPartition tp, int localBrokerId, ReplicaLog log) {
        this.tp = tp;
        this.localBrokerId = localBrokerId;
        this.log = log;
    }

    /**
     * Applies the controller's state: leader if it names this broker, follower if it names another,
     * offline if none. A new leader epoch on a leader is recorded in the log's epoch history at the log
     * end offset before any append under it.
     *
     * @return whether the high watermark advanced (waiting requests may complete)
     */
    public synchronized boolean apply(LeaderAndIsr state) {
        if (state.leaderEpoch() < role.leaderEpoch()) {
            return false;
        }
        if (state.leader() == LeaderAndIsr.NO_LEADER) {
            role = new OfflineRole(state.leaderEpoch(), "the partition has no leader (no in-sync replica is alive)");
            return false;
        }
        if (state.leader() != localBrokerId) {
            role = new FollowerRole(state);
            return false;
        }
        if (role instanceof LeaderRole leader && leader.leaderEpoch() == state.leaderEpoch()) {
            role = leader.withState(state);
        } else {
            log.assignEpochStartOffset(state.leaderEpoch());
            role = new LeaderRole(localBrokerId, state);
        }
        return maybeAdvanceHighWatermark();
    }

    /** Takes the replica offline, e.g. after its log failed; it stays so until the next {@link #apply}. */
    public synchronized void markOffline(String reason) {
        role = new OfflineRole(role.leaderEpoch(), reason);
    }

    /**
     * Appends as leader. With {@code acks=all}, refuses (before writing) when the ISR is smaller than
     * {@code minInsyncReplicas}.
     *
     * @throws ReplicationException NOT_LEADER (with the known leader), NOT_ENOUGH_REPLICAS
     * @throws LogAppendException   the batches are invalid or too large; nothing was written
     */
    public synchronized LeaderAppend appendAsLeader(ByteBuffer batches, RequiredAcks acks, int minInsyncReplicas)
            throws ReplicationException, LogAppendException {
        LeaderRole leader = requireLeader(-1);
        if (acks == RequiredAcks.ALL && leader.isr().size() < minInsyncReplicas) {
            throw new ReplicationException(ErrorCode.NOT_ENOUGH_REPLICAS, "partition " + tp + " has "
                    + leader.isr().size() + " in-sync replicas " + leader.isr() + ", fewer than min.insync.replicas="
                    + minInsyncReplicas + "; acks=all cannot be satisfied until replicas catch up");
        }
        LogAppendInfo info;
        try {
            info = log.appendAsLeader(batches, leader.leaderEpoch());
        } catch (StorageException e) {
            role = new OfflineRole(leader.leaderEpoch(), "its log failed: " + e.getMessage());
            throw new ReplicationException(ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to write: "
                    + e.getMessage());
        }
        boolean advanced = maybeAdvanceHighWatermark();
        return new LeaderAppend(info, leader.leaderEpoch(), log.logStartOffset(), advanced);
    }

    /**
     * What an accepted append wrote.
     *
     * @param leaderEpoch           the epoch of the leadership that accepted it
     * @param highWatermarkAdvanced whether the append moved the high watermark (an ISR of one)
     */
    public record LeaderAppend(LogAppendInfo info, int leaderEpoch, long logStartOffset, boolean highWatermarkAdvanced) {
    }

    /**
     * Records that follower {@code replicaId} has every offset below {@code followerLeo} (from its fetch).
     *
     * @return whether the high watermark advanced
     * @throws ReplicationException NOT_LEADER if this replica does not lead, INVALID_REQUEST if
     *                              {@code replicaId} is not a follower replica
     */
    public synchronized boolean updateFollowerEndOffset(int replicaId, long followerLeo) throws ReplicationException {
        LeaderRole leader = requireLeader(-1);
        if (!leader.updateFollower(replicaId, followerLeo)) {
            throw new ReplicationException(ErrorCode.INVALID_REQUEST, "broker " + replicaId
                    + " is not a follower replica of " + tp + " (replicas " + leader.state().replicas() + ")");
        }
        return maybeAdvanceHighWatermark();
    }

    /** Raises the high watermark to the smallest ISR LEO; never lowers it. Caller holds the lock. */
    private boolean maybeAdvanceHighWatermark() {
        if (!(role instanceof LeaderRole leader)) {
            return false;
        }
        OptionalLong candidate = leader.highWatermarkCandidate(log.logEndOffset());
        long current = log.highWatermark();
        if (candidate.isPresent() && candidate.getAsLong() > current) {
            return log.updateHighWatermark(candidate.getAsLong()) > current;
        }
        return false;
    }

    /**
     * Reads for a consumer: only batches below the high watermark. An offset between the high watermark
     * and the log end offset reads nothing (the records exist but are not committed yet).
     *
     * @param currentLeaderEpoch the epoch the client saw, -1 for no check
     * @throws ReplicationException NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, OFFSET_OUT_OF_RANGE
     */
    public FetchedPartition readForConsumer(long offset, int maxBytes, int currentLeaderEpoch)
            throws ReplicationException {
        synchronized (this) {
            requireLeader(currentLeaderEpoch);
        }
        long highWatermark = log.highWatermark();
        try {
            LogReadResult read = log.read(offset, maxBytes, highWatermark);
            return new FetchedPartition(null, highWatermark, read.logStartOffset(), read.records());
        } catch (OffsetOutOfRangeException e) {
            throw new ReplicationException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " of " + tp
                    + " is outside the log [" + e.logStartOffset() + ", " + e.logEndOffset()
                    + "]: reset to the log start offset or the high watermark");
        } catch (StorageException e) {
            throw new ReplicationException(ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to read: "
                    + e.getMessage());
        }
    }

    /**
     * ListOffsets on the leader: earliest (-2) is the log start offset, latest (-1) the high watermark,
     * otherwise the first offset whose batch has a timestamp at or after {@code timestamp}, if below the
     * high watermark.
     */
    public OffsetAndEpoch listOffset(long timestamp) throws ReplicationException {
        int epoch;
        synchronized (this) {
            epoch = requireLeader(-1).leaderEpoch();
        }
        if (timestamp == -2) {
            return new OffsetAndEpoch(log.logStartOffset(), -1, epoch);
        }
        if (timestamp == -1) {
            return new OffsetAndEpoch(log.highWatermark(), -1, epoch);
        }
        if (timestamp < 0) {
            throw new ReplicationException(ErrorCode.INVALID_REQUEST, "timestamp " + timestamp
                    + " is neither -2 (earliest), -1 (latest) nor milliseconds since the epoch");
        }
        OptionalLong found = log.offsetForTimestamp(timestamp);
        long highWatermark = log.highWatermark();
        long offset = found.isPresent() && found.getAsLong() < highWatermark ? found.getAsLong() : -1;
        return new OffsetAndEpoch(offset, timestamp, epoch);
    }

    private LeaderRole requireLeader(int currentLeaderEpoch) throws ReplicationException {
        if (!(role instanceof LeaderRole leader)) {
            String why = role instanceof OfflineRole offline ? ": it is offline, " + offline.reason()
                    : role.leaderId() >= 0 ? "; broker " + role.leaderId() + " leads it" : "";
            throw new ReplicationException(new PartitionError(ErrorCode.NOT_LEADER, "broker " + localBrokerId
                    + " does not lead " + tp + why, role.leaderId(), role.leaderEpoch()));
        }
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != leader.leaderEpoch()) {
            ErrorCode code = currentLeaderEpoch < leader.leaderEpoch() ? ErrorCode.FENCED_LEADER_EPOCH
                    : ErrorCode.UNKNOWN_LEADER_EPOCH;
            throw new ReplicationException(new PartitionError(code, "leader epoch " + currentLeaderEpoch
                    + " of " + tp + " does not match the leader's epoch " + leader.leaderEpoch()
                    + "; refresh metadata", localBrokerId, leader.leaderEpoch()));
        }
        return leader;
    }

    /** The high watermark (consumers read below it). */
    public long highWatermark() {
        return log.highWatermark();
    }

    /** Whether this replica leads at {@code leaderEpoch}: an acks=all wait holds only while it does. */
    public synchronized boolean isLeaderAt(int leaderEpoch) {
        return role instanceof LeaderRole && role.leaderEpoch() == leaderEpoch;
    }

    public synchronized int leaderEpoch() {
        return role.leaderEpoch();
    }

    public synchronized PartitionSnapshot snapshot() {
        int isrSize = role instanceof LeaderRole leader ? leader.isr().size()
                : role instanceof FollowerRole follower ? follower.state().isr().size() : 0;
        boolean underReplicated = role instanceof LeaderRole leader && leader.isUnderReplicated();
        return new PartitionSnapshot(tp, role.name(), role.leaderId(), role.leaderEpoch(), isrSize, underReplicated,
                log.logEndOffset(), log.highWatermark(), log.sizeInBytes(), log.segmentCount());
    }
}
