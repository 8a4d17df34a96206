package io.ferry.replication.internal;

import io.ferry.replication.LeaderAndIsr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * This broker leads the partition: it tracks each follower's log end offset (LEO) and computes the
 * high watermark as the smallest LEO over the ISR. A follower whose LEO the leader has not heard since
 * it became leader counts as unknown, which holds the high watermark where it is (as in Kafka: a new
 * leader must not expose offsets a member of the ISR may lack).
 *
 * <p>Not thread-safe: the owning {@code Partition} calls it under its lock.
 */
public final class LeaderRole implements ReplicaRole {

    private final int localBrokerId;
    private final LeaderAndIsr state;
    /** Follower id → LEO last reported by its fetch. */
    private final Map<Integer, Long> followerEndOffsets = new HashMap<>();

    public LeaderRole(int localBrokerId, LeaderAndIsr state) {
        if (state.leader() != localBrokerId) {
            throw new IllegalArgumentException("broker " + localBrokerId + " is not the leader in " + state);
        }
        this.localBrokerId = localBrokerId;
        this.state = state;
    }

    /** The same leadership with a new ISR (an ISR change at the same leader epoch); tracking is kept. */
    public LeaderRole withState(LeaderAndIsr newState) {
        LeaderRole updated = new LeaderRole(localBrokerId, newState);
        updated.followerEndOffsets.putAll(followerEndOffsets);
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

    /**
     * Records a follower's fetch: it has everything below {@code followerLeo}.
     *
     * @return whether {@code replicaId} is a replica of this partition
     */
    public boolean updateFollower(int replicaId, long followerLeo) {
        if (replicaId == localBrokerId || !state.replicas().contains(replicaId)) {
            return false;
        }
        followerEndOffsets.put(replicaId, followerLeo);
        return true;
    }

    /**
     * The smallest LEO over the ISR (the leader's own is {@code leaderLeo}); empty while an ISR member's
     * LEO is unknown.
     */
    public OptionalLong highWatermarkCandidate(long leaderLeo) {
        long min = leaderLeo;
        for (int id : state.isr()) {
            if (id == localBrokerId) {
                continue;
            }
            Long leo = followerEndOffsets.get(id);
            if (leo == null) {
                return OptionalLong.empty();
            }
            min = Math.min(min, leo);
        }
        return OptionalLong.of(min);
    }
}
