package io.ferry.replication.internal;

import io.ferry.replication.LeaderAndIsr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * This broker leads the partition: it tracks each follower's log end offset (LEO) and when it was last
 * caught up, computes the high watermark as the smallest LEO over the ISR, and decides ISR changes.
 *
 * <p>A follower whose LEO the leader has not heard since it became leader counts as unknown, which
 * holds the high watermark where it is (as in Kafka: a new leader must not expose offsets a member of
 * the ISR may lack). While an ISR change is with the controller, the high watermark is computed over
 * the larger of the two sets ("maximal ISR", KIP-497), so neither a pending shrink nor a pending expand
 * can expose an offset some possible ISR member lacks.
 *
 * <p>A follower outside the ISR that has caught up within {@code replica.lag.time.max.ms} holds the high
 * watermark too, as in Kafka: it rejoins once its LEO reaches the high watermark, and with an ISR of just
 * the leader under a steady load the high watermark is the leader's LEO, which a follower never reaches
 * at the moment it fetches. Holding the high watermark only ever makes it lower, which is safe.
 *
 * <p>Not thread-safe: the owning {@code Partition} calls it under its lock.
 */
public final class LeaderRole implements ReplicaRole {

    private final int localBrokerId;
    private final LeaderAndIsr state;
    /** The log end offset when this leadership began: a follower rejoins the ISR only at or past it. */
    private final long epochStartOffset;

    private final Map<Integer, FollowerProgress> followers = new HashMap<>();
    /** The ISR sent to the controller and not yet answered, or null. */
    private List<Integer> pendingIsr;

    /**
     * @param nowMs every follower in the ISR counts as caught up now: it gets a full lag period to prove it;
     *              one outside has not caught up with this leadership yet
     */
    public LeaderRole(int localBrokerId, LeaderAndIsr state, long epochStartOffset, long nowMs) {
        if (state.leader() != localBrokerId) {
            throw new IllegalArgumentException("broker " + localBrokerId + " is not the leader in " + state);
        }
        this.localBrokerId = localBrokerId;
        this.state = state;
        this.epochStartOffset = epochStartOffset;
        for (int id : state.replicas()) {
            if (id != localBrokerId) {
                followers.put(id, new FollowerProgress(state.isr().contains(id) ? nowMs : FollowerProgress.NEVER));
            }
        }
    }

    /**
     * The same leadership with a new ISR (an ISR change at the same leader epoch): follower progress is
     * kept; a pending change is settled if the new state carries a newer partition epoch.
     */
    public LeaderRole withState(LeaderAndIsr newState, long nowMs) {
        LeaderRole updated = new LeaderRole(localBrokerId, newState, epochStartOffset, nowMs);
        followers.forEach((id, progress) -> {
            if (updated.followers.containsKey(id)) {
                // One that joins the ISR without having been caught up (it reached the high watermark, not the
                // log end) gets a full lag period from now, as every ISR member does when a leadership begins.
                if (progress.lastCaughtUpMs == FollowerProgress.NEVER
                        && newState.isr().contains(id)) {
                    progress.lastCaughtUpMs = nowMs;
                }
                updated.followers.put(id, progress);
            }
        });
        if (newState.partitionEpoch() == state.partitionEpoch()) {
            updated.pendingIsr = pendingIsr;
        }
        return updated;
    }

    public LeaderAndIsr state() {
        return state;
    }

    @Override
    public String name() {
        return "leader";
    }

    @Override
    public int leaderId() {
        return localBrokerId;
    }

    /** The log end offset when this leader's epoch began: every record below it may have been committed. */
    public long epochStartOffset() {
        return epochStartOffset;
    }

    @Override
    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    public List<Integer> isr() {
        return state.isr();
    }

    public boolean isUnderReplicated() {
        return state.isr().size() < state.replicas().size();
    }

    /** Marks {@code newIsr} as sent to the controller. */
    public void isrChangeSent(List<Integer> newIsr) {
        pendingIsr = List.copyOf(newIsr);
    }

    /** The controller refused the change and did not make it: a later check may ask again. */
    public void isrChangeRefused() {
        pendingIsr = null;
    }

    /** Whether {@code isr} is the change sent to the controller and not yet settled. */
    public boolean isPending(List<Integer> isr) {
        return isr.equals(pendingIsr);
    }

    /** Whether {@code replicaId} is a replica of this partition other than this leader. */
    public boolean isFollower(int replicaId) {
        return followers.containsKey(replicaId);
    }

    /**
     * Records a follower's fetch from {@code followerLeo} at {@code nowMs}, when this log ended at
     * {@code leaderLeo}. The follower was caught up at this fetch if it asked for the log end, and at
     * its previous fetch if it now asks for what was the log end then (Kafka's lastCaughtUpTime).
     *
     * @throws IllegalArgumentException if {@code replicaId} is not a follower ({@link #isFollower})
     */
    public void updateFollower(int replicaId, long followerLeo, long leaderLeo, long nowMs) {
        FollowerProgress progress = followers.get(replicaId);
        if (progress == null) {
            throw new IllegalArgumentException("broker " + replicaId + " is not a follower of " + state);
        }
        progress.update(followerLeo, leaderLeo, nowMs);
    }

    /**
     * The ISR with {@code replicaId} added if it has caught up (at least the high watermark and the start
     * of this leadership) and no change is pending; empty otherwise.
     */
    public List<Integer> expandedIsr(int replicaId, long highWatermark) {
        FollowerProgress progress = followers.get(replicaId);
        if (pendingIsr != null
                || progress == null
                || state.isr().contains(replicaId)
                || progress.logEndOffset < Math.max(highWatermark, epochStartOffset)) {
            return List.of();
        }
        List<Integer> isr = new ArrayList<>(state.isr());
        isr.add(replicaId);
        return isr;
    }

    /**
     * The ISR without the followers not caught up for longer than {@code maxLagMs}; empty if none lag or a
     * change is pending.
     */
    public List<Integer> shrunkIsr(long nowMs, long maxLagMs) {
        if (pendingIsr != null) {
            return List.of();
        }
        List<Integer> kept = new ArrayList<>();
        for (int id : state.isr()) {
            FollowerProgress progress = followers.get(id);
            if (id == localBrokerId || progress == null || nowMs - progress.lastCaughtUpMs <= maxLagMs) {
                kept.add(id);
            }
        }
        return kept.size() < state.isr().size() ? kept : List.of();
    }

    /**
     * The smallest LEO over the maximal ISR and the followers outside it that caught up within
     * {@code maxLagMs} and are not {@code fenced} (the leader's own LEO is {@code leaderLeo}); empty while an
     * ISR member's LEO is unknown. A fenced follower is left out as Kafka's {@code isReplicaIsrEligible} leaves
     * it out: it cannot join the ISR, and a broker that died caught up would otherwise hold every acks=all
     * produce until its {@code maxLagMs} ran out, long after the controller took it out of the ISR.
     */
    public OptionalLong highWatermarkCandidate(long leaderLeo, long nowMs, long maxLagMs, IntPredicate fenced) {
        // Runs on every follower fetch of every partition this broker leads: it walks the two lists rather than
        // building the maximal ISR as a set.
        long min = Math.min(leaderLeo, minLogEndOffset(state.isr()));
        if (pendingIsr != null) {
            min = Math.min(min, minLogEndOffset(pendingIsr));
        }
        if (min < 0) {
            return OptionalLong.empty();
        }
        for (Map.Entry<Integer, FollowerProgress> e : followers.entrySet()) {
            FollowerProgress progress = e.getValue();
            if (!inMaximalIsr(e.getKey())
                    && !fenced.test(e.getKey())
                    && progress.logEndOffset >= 0
                    && progress.caughtUp(leaderLeo, nowMs, maxLagMs)) {
                min = Math.min(min, progress.logEndOffset);
            }
        }
        return OptionalLong.of(min);
    }

    /**
     * The replicas the high watermark is computed over: the ISR and, while a change is with the controller,
     * the members it names ("maximal ISR", KIP-497). Each holds every offset below the high watermark.
     */
    /** The smallest log end offset of the followers among {@code members}; -1 if one's is not known yet. */
    private long minLogEndOffset(List<Integer> members) {
        long min = Long.MAX_VALUE;
        for (int id : members) {
            if (id != localBrokerId) {
                FollowerProgress progress = followers.get(id);
                if (progress == null || progress.logEndOffset < 0) {
                    return -1;
                }
                min = Math.min(min, progress.logEndOffset);
            }
        }
        return min;
    }

    private boolean inMaximalIsr(int id) {
        return state.isr().contains(id) || (pendingIsr != null && pendingIsr.contains(id));
    }

    public Set<Integer> maximalIsr() {
        Set<Integer> maximal = new LinkedHashSet<>(state.isr());
        if (pendingIsr != null) {
            maximal.addAll(pendingIsr);
        }
        return maximal;
    }

    /** How a follower keeps up, as its fetches show. */
    private static final class FollowerProgress {
        /** The {@link #lastCaughtUpMs} of a follower that has not caught up with this leadership. */
        static final long NEVER = Long.MIN_VALUE;

        long logEndOffset = -1;
        long lastCaughtUpMs;
        long lastFetchLeaderLeo = -1;
        long lastFetchMs;

        FollowerProgress(long lastCaughtUpMs) {
            this.lastCaughtUpMs = lastCaughtUpMs;
        }

        /** Kafka's rule: at the leader's LEO, or caught up within {@code maxLagMs}. */
        boolean caughtUp(long leaderLeo, long nowMs, long maxLagMs) {
            return logEndOffset == leaderLeo || (lastCaughtUpMs != NEVER && nowMs - lastCaughtUpMs <= maxLagMs);
        }

        void update(long followerLeo, long leaderLeo, long nowMs) {
            if (followerLeo >= leaderLeo) {
                lastCaughtUpMs = Math.max(lastCaughtUpMs, nowMs);
            } else if (lastFetchLeaderLeo >= 0 && followerLeo >= lastFetchLeaderLeo) {
                lastCaughtUpMs = Math.max(lastCaughtUpMs, lastFetchMs);
            }
            logEndOffset = followerLeo;
            lastFetchLeaderLeo = leaderLeo;
            lastFetchMs = nowMs;
        }
    }
}
