package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.internal.FollowerRole;
import io.ferry.replication.internal.LeaderRole;
import io.ferry.replication.internal.OfflineRole;
import io.ferry.replication.internal.ReadPositions;
import io.ferry.replication.internal.ReplicaRole;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.StorageException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

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
    private final InstantSource clock;
    /** {@code replica.lag.time.max.ms}: how long a follower may lag and stay in the ISR (or hold the high watermark). */
    private final long maxLagMs;

    private final IntPredicate fenced;
    /** Guarded by this. */
    private ReplicaRole role = new OfflineRole(-1, "no metadata applied yet");

    /** @param maxLagMs {@code replica.lag.time.max.ms} */
    /** @param fenced the brokers the controller has fenced now (they never hold the high watermark) */
    public Partition(
            TopicPartition tp,
            int localBrokerId,
            ReplicaLog log,
            InstantSource clock,
            long maxLagMs,
            IntPredicate fenced) {
        this.tp = tp;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.clock = clock;
        this.maxLagMs = maxLagMs;
        this.fenced = fenced;
    }

    public TopicPartition tp() {
        return tp;
    }

    /**
     * Applies the controller's state: leader if it names this broker, follower if it names another,
     * offline if none. A new leader epoch on a leader is recorded in the log's epoch history at the log
     * end offset before any append under it. A follower does not truncate here: its first fetch tells it
     * where its log diverges from the leader's.
     */
    public synchronized Applied apply(LeaderAndIsr state) {
        if (state.leaderEpoch() < role.leaderEpoch()) {
            return new Applied(false, false);
        }
        long now = clock.millis();
        if (state.leader() == LeaderAndIsr.NO_LEADER) {
            role = new OfflineRole(state.leaderEpoch(), "the partition has no leader (no in-sync replica is alive)");
            return new Applied(false, false);
        }
        if (state.leader() != localBrokerId) {
            if (!(role instanceof FollowerRole follower) || !follower.state().equals(state)) {
                role = new FollowerRole(state, now);
            }
            return new Applied(false, false);
        }
        boolean newLeadership = !(role instanceof LeaderRole leader && leader.leaderEpoch() == state.leaderEpoch());
        if (newLeadership) {
            log.assignEpochStartOffset(state.leaderEpoch());
            role = new LeaderRole(localBrokerId, state, log.logEndOffset(), now);
        } else {
            role = ((LeaderRole) role).withState(state, now);
        }
        return new Applied(newLeadership, maybeAdvanceHighWatermark());
    }

    /**
     * What applying the controller's state changed.
     *
     * @param newLeadership         this broker became leader (at a new leader epoch)
     * @param highWatermarkAdvanced waiting requests may complete
     */
    public record Applied(boolean newLeadership, boolean highWatermarkAdvanced) {}

    /** The leader this replica fetches from and the epoch it follows; empty unless it is a follower. */
    public synchronized Optional<LeaderAndIsr> followedState() {
        return role instanceof FollowerRole follower ? Optional.of(follower.state()) : Optional.empty();
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
            throw new ReplicationException(
                    ErrorCode.NOT_ENOUGH_REPLICAS,
                    "partition " + tp + " has "
                            + leader.isr().size() + " in-sync replicas " + leader.isr()
                            + ", fewer than min.insync.replicas="
                            + minInsyncReplicas + "; acks=all cannot be satisfied until replicas catch up");
        }
        LogAppendInfo info;
        try {
            info = log.appendAsLeader(batches, leader.leaderEpoch());
        } catch (StorageException e) {
            role = new OfflineRole(leader.leaderEpoch(), "its log failed: " + e.getMessage());
            throw new ReplicationException(
                    ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to write: " + e.getMessage());
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
    public record LeaderAppend(
            LogAppendInfo info, int leaderEpoch, long logStartOffset, boolean highWatermarkAdvanced) {}

    /**
     * A follower's fetch arrived (leader side). Checks its position against this log: a last fetched epoch
     * this log does not hold up to the fetch offset answers with where they diverge; an offset outside the
     * log answers OFFSET_OUT_OF_RANGE with the log's bounds. Otherwise records the follower's log end
     * offset (which may advance the high watermark) and decides whether it rejoins the ISR.
     *
     * @throws ReplicationException NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, or NOT_REPLICA if
     *                              {@code replicaId} is not a follower replica (checked before anything else
     *                              of the fetch is looked at, so a non-replica learns nothing and changes nothing)
     */
    public synchronized FollowerFetch followerFetched(int replicaId, ReplicaFetchPartition request)
            throws ReplicationException {
        LeaderRole leader = requireLeader(request.currentLeaderEpoch());
        if (!leader.isFollower(replicaId)) {
            throw new ReplicationException(
                    ErrorCode.NOT_REPLICA,
                    "broker " + replicaId + " is not a follower replica of " + tp + " (replicas "
                            + leader.state().replicas() + ")");
        }
        long logEnd = log.logEndOffset();
        long logStart = log.logStartOffset();
        long fetchOffset = request.fetchOffset();
        if (request.lastFetchedEpoch() >= 0) {
            EpochEndOffset ours = log.endOffsetForEpoch(request.lastFetchedEpoch());
            if (ours.isUndefined()) {
                // No history to compare with: the follower starts over from this log's start.
                return FollowerFetch.answered(ReplicaFetchResult.diverging(
                        new EpochEndOffset(EpochEndOffset.UNDEFINED_EPOCH, logStart),
                        log.highWatermark(),
                        logStart,
                        logEnd));
            }
            if (ours.epoch() < request.lastFetchedEpoch() || ours.endOffset() < fetchOffset) {
                return FollowerFetch.answered(
                        ReplicaFetchResult.diverging(ours, log.highWatermark(), logStart, logEnd));
            }
        }
        if (fetchOffset < logStart || fetchOffset > logEnd) {
            return FollowerFetch.answered(new ReplicaFetchResult(
                    PartitionError.of(
                            ErrorCode.OFFSET_OUT_OF_RANGE,
                            "fetch offset " + fetchOffset + " of " + tp + " is outside the leader's log [" + logStart
                                    + ", " + logEnd + "]"),
                    log.highWatermark(),
                    logStart,
                    logEnd,
                    null,
                    ByteBuffer.allocate(0).asReadOnlyBuffer()));
        }
        leader.updateFollower(replicaId, fetchOffset, logEnd, clock.millis());
        boolean advanced = maybeAdvanceHighWatermark();
        List<Integer> expanded = leader.expandedIsr(replicaId, log.highWatermark());
        IsrChange change = null;
        if (!expanded.isEmpty()) {
            leader.isrChangeSent(expanded);
            change = new IsrChange(tp, leader.leaderEpoch(), leader.state().partitionEpoch(), expanded, true);
        }
        return new FollowerFetch(null, advanced, change);
    }

    /**
     * What a follower's fetch did on arrival.
     *
     * @param answer                non-null when the fetch is answered without reading (divergence, out of range)
     * @param highWatermarkAdvanced waiting requests may complete
     * @param isrChange             an ISR expansion to send to the controller, or null
     */
    public record FollowerFetch(ReplicaFetchResult answer, boolean highWatermarkAdvanced, IsrChange isrChange) {
        static FollowerFetch answered(ReplicaFetchResult answer) {
            return new FollowerFetch(answer, false, null);
        }
    }

    /**
     * An ISR change this leader asks the controller for (compare-and-set on {@code partitionEpoch}).
     *
     * @param expand whether it adds a replica (else it removes lagging ones)
     */
    public record IsrChange(
            TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr, boolean expand) {}

    /**
     * Reads for a follower (leader side): whole batches from {@code request.fetchOffset()} up to the log end
     * offset, not only below the high watermark.
     *
     * @throws ReplicationException NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH
     */
    public ReplicaFetchResult readForFollower(ReplicaFetchPartition request) throws ReplicationException {
        synchronized (this) {
            requireLeader(request.currentLeaderEpoch());
        }
        long highWatermark = log.highWatermark();
        try {
            LogReadResult read = log.read(request.fetchOffset(), request.maxBytes(), Long.MAX_VALUE);
            return new ReplicaFetchResult(
                    null,
                    highWatermark,
                    read.logStartOffset(),
                    read.logEndOffset(),
                    null,
                    read.records(),
                    read.lease());
        } catch (OffsetOutOfRangeException e) {
            return new ReplicaFetchResult(
                    PartitionError.of(
                            ErrorCode.OFFSET_OUT_OF_RANGE,
                            "fetch offset "
                                    + request.fetchOffset() + " of " + tp + " is outside the leader's log ["
                                    + e.logStartOffset()
                                    + ", " + e.logEndOffset() + "]"),
                    highWatermark,
                    e.logStartOffset(),
                    e.logEndOffset(),
                    null,
                    ByteBuffer.allocate(0).asReadOnlyBuffer());
        } catch (StorageException e) {
            throw new ReplicationException(
                    ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to read: " + e.getMessage());
        }
    }

    /**
     * The ISR without followers that have not caught up for longer than {@code replica.lag.time.max.ms},
     * marked as sent; empty if this replica does not lead, none lag, or a change is pending.
     */
    public synchronized Optional<IsrChange> maybeShrinkIsr() {
        if (!(role instanceof LeaderRole leader)) {
            return Optional.empty();
        }
        List<Integer> shrunk = leader.shrunkIsr(clock.millis(), maxLagMs);
        if (shrunk.isEmpty()) {
            return Optional.empty();
        }
        leader.isrChangeSent(shrunk);
        return Optional.of(
                new IsrChange(tp, leader.leaderEpoch(), leader.state().partitionEpoch(), shrunk, false));
    }

    /**
     * The controller accepted {@code change}: its answer becomes this leader's state if the leadership is
     * still the one that asked.
     *
     * @return whether the high watermark advanced
     */
    public synchronized boolean isrChangeAccepted(IsrChange change, LeaderAndIsr result) {
        if (role instanceof LeaderRole leader
                && leader.leaderEpoch() == change.leaderEpoch()
                && result.leaderEpoch() == change.leaderEpoch()
                && result.partitionEpoch() > leader.state().partitionEpoch()) {
            role = leader.withState(result, clock.millis());
            return maybeAdvanceHighWatermark();
        }
        return false;
    }

    /**
     * The controller refused {@code change} with this leader's epochs current (it names a replica that may not
     * join): the ISR is as it was, and a later check may ask again.
     */
    public synchronized void isrChangeRefused(IsrChange change) {
        if (role instanceof LeaderRole leader
                && leader.leaderEpoch() == change.leaderEpoch()
                && leader.state().partitionEpoch() == change.partitionEpoch()) {
            leader.isrChangeRefused();
        }
    }

    /**
     * No answer came for {@code change}, so the controller may have made it: it stays pending, and the high
     * watermark keeps counting its members (the maximal ISR), until an answer or the metadata settles it.
     * Forgetting it instead could let the high watermark pass a batch that a member of the controller's ISR
     * lacks.
     *
     * @return the change, to send again, if it is still this leader's pending one
     */
    public synchronized Optional<IsrChange> unansweredIsrChange(IsrChange change) {
        if (role instanceof LeaderRole leader
                && leader.leaderEpoch() == change.leaderEpoch()
                && leader.state().partitionEpoch() == change.partitionEpoch()
                && leader.isPending(change.newIsr())) {
            return Optional.of(change);
        }
        return Optional.empty();
    }

    /**
     * Where a follower fetches from next (follower side): its log end offset and last epoch, if it still
     * follows at {@code leaderEpoch}.
     */
    public synchronized Optional<ReplicaFetchPartition> fetchPosition(int leaderEpoch, int maxBytes) {
        if (!(role instanceof FollowerRole follower) || follower.leaderEpoch() != leaderEpoch) {
            return Optional.empty();
        }
        return Optional.of(new ReplicaFetchPartition(
                tp, log.logEndOffset(), leaderEpoch, log.latestEpoch().orElse(-1), maxBytes));
    }

    /**
     * Applies the leader's answer to a fetch made from {@code position} (follower side): truncates where
     * the logs diverge, restarts the log where the leader's is if the position was out of its range, or
     * appends the batches; then takes the leader's high watermark (never above this log's end). Ignored if
     * this replica no longer follows at that epoch or its log moved since the fetch was sent.
     *
     * @return completes once the appended batches are on disk if the log's flush policy asked for it (at once
     *         otherwise): the follower's next fetch, which tells the leader this log's end, waits for it, so
     *         the high watermark never counts records a replica has not flushed when the policy says it must.
     *         If that flush fails, the replica has gone offline by the time it completes.
     * @throws ReplicationException the leader's batches could not be appended (the fetcher backs off and retries)
     */
    public synchronized CompletableFuture<Void> applyLeaderAnswer(
            ReplicaFetchPartition position, ReplicaFetchResult answer) throws ReplicationException {
        CompletableFuture<Void> flushed = CompletableFuture.completedFuture(null);
        if (!(role instanceof FollowerRole follower)
                || follower.leaderEpoch() != position.currentLeaderEpoch()
                || log.logEndOffset() != position.fetchOffset()) {
            return flushed;
        }
        try {
            if (answer.divergingEpoch() != null) {
                long endBefore = log.logEndOffset();
                OptionalInt epochBefore = log.latestEpoch();
                truncateToDivergence(answer.divergingEpoch());
                if (log.logEndOffset() == endBefore && log.latestEpoch().equals(epochBefore)) {
                    // The next fetch would send the same position and get the same answer: the fetcher backs
                    // off instead of asking again at once, and says why.
                    throw new ReplicationException(
                            ErrorCode.UNKNOWN_SERVER_ERROR,
                            "partition " + tp + ": the leader says the logs diverge at " + answer.divergingEpoch()
                                    + ", which changes nothing in this log (end " + endBefore + ", last epoch "
                                    + epochBefore + ")");
                }
            } else if (answer.error() != null
                    && answer.error().code() == ErrorCode.OFFSET_OUT_OF_RANGE
                    && answer.logEndOffset() >= 0) {
                if (position.fetchOffset() > answer.logEndOffset()) {
                    log.truncateTo(answer.logEndOffset());
                } else {
                    log.truncateFullyAndStartAt(answer.logStartOffset());
                }
            } else if (answer.error() != null) {
                throw new ReplicationException(answer.error());
            } else if (answer.records().hasRemaining()) {
                flushed = log.appendAsFollower(answer.records()).flushed().whenComplete((done, failure) -> {
                    if (failure instanceof StorageException) {
                        markOffline("its log failed to flush: " + failure.getMessage());
                    }
                });
            }
            // The leader's log start (moved by DeleteRecords or retention) bounds this replica's too, so a
            // consumer finds the same earliest offset after a failover.
            if (answer.error() == null && answer.logStartOffset() > log.logStartOffset()) {
                log.advanceLogStartOffset(Math.min(answer.logStartOffset(), log.logEndOffset()));
            }
        } catch (LogAppendException e) {
            throw new ReplicationException(
                    ErrorCode.CORRUPT_BATCH,
                    "partition " + tp + ": the leader's batches from " + position.fetchOffset() + " were refused: "
                            + e.getMessage());
        } catch (StorageException e) {
            role = new OfflineRole(follower.leaderEpoch(), "its log failed: " + e.getMessage());
            throw new ReplicationException(
                    ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to write: " + e.getMessage());
        }
        long logEnd = log.logEndOffset();
        if (answer.highWatermark() >= 0) {
            log.updateHighWatermark(Math.min(answer.highWatermark(), logEnd));
        }
        if (answer.logEndOffset() >= 0) {
            follower.leaderAnswered(answer.logEndOffset(), logEnd, clock.millis());
        }
        return flushed;
    }

    /**
     * Truncates to where this log stops agreeing with the leader's (KIP-279): the end of the diverging
     * epoch on the leader, or in this log if that is earlier. A next fetch checks again from there.
     */
    private void truncateToDivergence(EpochEndOffset leaders) {
        long target = leaders.endOffset();
        if (leaders.epoch() >= 0) {
            EpochEndOffset ours = log.endOffsetForEpoch(leaders.epoch());
            if (!ours.isUndefined()) {
                target = Math.min(target, ours.endOffset());
            }
        }
        target = Math.min(target, log.logEndOffset());
        if (target < log.logStartOffset()) {
            log.truncateFullyAndStartAt(target);
        } else {
            log.truncateTo(target);
        }
    }

    /**
     * Raises the high watermark as time passes: a follower outside the ISR stops holding it once it has not
     * caught up for {@code replica.lag.time.max.ms} (see {@link LeaderRole}), with or without a fetch or an
     * append to notice.
     *
     * @return whether it advanced
     */
    public synchronized boolean advanceHighWatermark() {
        return maybeAdvanceHighWatermark();
    }

    /**
     * Raises the high watermark to the smallest LEO of the ISR and of the followers about to join it; never
     * lowers it. Caller holds the lock.
     */
    private boolean maybeAdvanceHighWatermark() {
        if (!(role instanceof LeaderRole leader)) {
            return false;
        }
        OptionalLong candidate = leader.highWatermarkCandidate(log.logEndOffset(), clock.millis(), maxLagMs, fenced);
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
            return new FetchedPartition(null, highWatermark, read.logStartOffset(), read.records(), read.lease());
        } catch (OffsetOutOfRangeException e) {
            throw new ReplicationException(
                    ErrorCode.OFFSET_OUT_OF_RANGE,
                    "offset " + offset + " of " + tp
                            + " is outside the log [" + e.logStartOffset() + ", " + e.logEndOffset()
                            + "]: reset to the log start offset or the high watermark");
        } catch (StorageException e) {
            throw new ReplicationException(
                    ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to read: " + e.getMessage());
        }
    }

    /**
     * ListOffsets on the leader: earliest (-2) is the log start offset, latest (-1) the high watermark,
     * otherwise the first offset whose batch has a timestamp at or after {@code timestamp}, if below the
     * high watermark.
     */
    /**
     * Where {@code epoch} ends in the leader's log (KIP-279; Kafka's OffsetForLeaderEpoch for a consumer, which
     * compares it with its position to find a log that diverged from what it read): the largest epoch at or
     * below it and that epoch's end offset, the log end for the current epoch.
     *
     * @param currentLeaderEpoch the leader epoch the caller knows, -1 when it does not check it
     * @throws ReplicationException NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH
     */
    public synchronized EpochEndOffset endOffsetForEpoch(int currentLeaderEpoch, int epoch)
            throws ReplicationException {
        requireLeader(currentLeaderEpoch);
        return log.endOffsetForEpoch(epoch);
    }

    public OffsetAndEpoch listOffset(long timestamp) throws ReplicationException {
        LeaderRole leader;
        synchronized (this) {
            leader = requireLeader(-1);
        }
        int epoch = leader.leaderEpoch();
        if (timestamp == -2) {
            return new OffsetAndEpoch(log.logStartOffset(), -1, epoch);
        }
        if (timestamp < -1) {
            throw new ReplicationException(
                    ErrorCode.INVALID_REQUEST,
                    "timestamp " + timestamp
                            + " is neither -2 (earliest), -1 (latest) nor milliseconds since the epoch");
        }
        requireHighWatermarkAtEpochStart(leader);
        if (timestamp == -1) {
            return new OffsetAndEpoch(log.highWatermark(), -1, epoch);
        }
        OptionalLong found = log.offsetForTimestamp(timestamp);
        long highWatermark = log.highWatermark();
        long offset = found.isPresent() && found.getAsLong() < highWatermark ? found.getAsLong() : -1;
        return new OffsetAndEpoch(offset, timestamp, epoch);
    }

    /**
     * KIP-207: a leader just elected may have a high watermark below its predecessor's, which had every
     * record up to this leader's epoch start committed. Until its own high watermark reaches the epoch
     * start, offsets that depend on it are refused (OFFSET_NOT_AVAILABLE, retriable) rather than answered
     * lower than a client may already have seen.
     */
    private void requireHighWatermarkAtEpochStart(LeaderRole leader) throws ReplicationException {
        long highWatermark = log.highWatermark();
        if (highWatermark < leader.epochStartOffset()) {
            throw new ReplicationException(
                    ErrorCode.OFFSET_NOT_AVAILABLE,
                    "the leader of " + tp + " since epoch " + leader.leaderEpoch() + " has a high watermark of "
                            + highWatermark + ", below the start of its epoch (" + leader.epochStartOffset()
                            + "): retry once its followers caught up");
        }
    }

    /**
     * DeleteRecords on the leader: moves the log start offset up to {@code offset} ({@code -1}: the high
     * watermark); followers take it from their next fetch answer.
     *
     * @return the log start offset after the call
     * @throws ReplicationException NOT_LEADER, or OFFSET_OUT_OF_RANGE for an offset above the high watermark
     *                              (records not yet committed cannot be deleted) or negative other than -1
     */
    public synchronized long deleteRecordsBefore(long offset) throws ReplicationException {
        requireLeader(-1);
        long highWatermark = log.highWatermark();
        long target = offset == -1 ? highWatermark : offset;
        if (target < 0 || target > highWatermark) {
            throw new ReplicationException(
                    ErrorCode.OFFSET_OUT_OF_RANGE,
                    "cannot delete the records of " + tp
                            + " before " + offset
                            + ": the offset must be -1 (the high watermark) or between 0 and the high"
                            + " watermark " + highWatermark);
        }
        log.advanceLogStartOffset(target);
        return log.logStartOffset();
    }

    private LeaderRole requireLeader(int currentLeaderEpoch) throws ReplicationException {
        if (!(role instanceof LeaderRole leader)) {
            String why = role instanceof OfflineRole offline
                    ? ": it is offline, " + offline.reason()
                    : role.leaderId() >= 0 ? "; broker " + role.leaderId() + " leads it" : "";
            throw new ReplicationException(new PartitionError(
                    ErrorCode.NOT_LEADER,
                    "broker " + localBrokerId + " does not lead " + tp + why,
                    role.leaderId(),
                    role.leaderEpoch()));
        }
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != leader.leaderEpoch()) {
            ErrorCode code = currentLeaderEpoch < leader.leaderEpoch()
                    ? ErrorCode.FENCED_LEADER_EPOCH
                    : ErrorCode.UNKNOWN_LEADER_EPOCH;
            throw new ReplicationException(new PartitionError(
                    code,
                    "leader epoch " + currentLeaderEpoch
                            + " of " + tp + " does not match the leader's epoch " + leader.leaderEpoch()
                            + "; refresh metadata",
                    localBrokerId,
                    leader.leaderEpoch()));
        }
        return leader;
    }

    /**
     * Adds what a read of this replica depends on to {@code positions}: the replica and its role (every change of
     * leadership or state replaces the role), its log start and end offsets, and, for a consumer's read, which
     * stops there, its high watermark.
     */
    public void addReadPosition(ReadPositions.Builder positions, boolean withHighWatermark) {
        ReplicaRole now;
        synchronized (this) {
            now = role;
        }
        positions.holders(this, now).offset(log.logStartOffset()).offset(log.logEndOffset());
        if (withHighWatermark) {
            positions.offset(log.highWatermark());
        }
    }

    /** The high watermark (consumers read below it). */
    public long highWatermark() {
        return log.highWatermark();
    }

    /**
     * As leader, how many replicas hold every offset below the high watermark: the size of the maximal ISR
     * (the ISR, with the members of a change the controller has not answered yet); 0 when not leader.
     */
    public synchronized int maximalIsrSize() {
        return role instanceof LeaderRole leader ? leader.maximalIsr().size() : 0;
    }

    /** Whether this replica leads at {@code leaderEpoch}: an acks=all wait holds only while it does. */
    public synchronized boolean isLeaderAt(int leaderEpoch) {
        return role instanceof LeaderRole && role.leaderEpoch() == leaderEpoch;
    }

    public synchronized int leaderEpoch() {
        return role.leaderEpoch();
    }

    public synchronized PartitionSnapshot snapshot() {
        int isrSize = role instanceof LeaderRole leader
                ? leader.isr().size()
                : role instanceof FollowerRole follower ? follower.state().isr().size() : 0;
        boolean underReplicated = role instanceof LeaderRole leader && leader.isUnderReplicated();
        long logEnd = log.logEndOffset();
        long lagRecords = role instanceof FollowerRole follower ? follower.lagRecords(logEnd) : 0;
        long lagMs = role instanceof FollowerRole follower ? follower.lagMs(logEnd, clock.millis()) : 0;
        return new PartitionSnapshot(
                tp,
                role.name(),
                role.leaderId(),
                role.leaderEpoch(),
                isrSize,
                underReplicated,
                log.logStartOffset(),
                logEnd,
                log.highWatermark(),
                log.sizeInBytes(),
                log.segmentCount(),
                lagRecords,
                lagMs);
    }
}
