package io.ferry.replication.internal;

import io.ferry.replication.LeaderAndIsr;

/**
 * A follower of {@code state.leader()}: refuses client appends and reads with NOT_LEADER naming the
 * leader. The replica fetcher appends what the leader sends; this role remembers how far the leader's
 * log reached at the last answer, for the lag metrics.
 *
 * <p>Not thread-safe: the owning {@code Partition} calls it under its lock.
 */
public final class FollowerRole implements ReplicaRole {

    private final LeaderAndIsr state;
    private long leaderLogEndOffset = -1;
    private long caughtUpMs;

    /** @param nowMs counts as caught up now, until the first answer says otherwise */
    public FollowerRole(LeaderAndIsr state, long nowMs) {
        this.state = state;
        this.caughtUpMs = nowMs;
    }

    public LeaderAndIsr state() {
        return state;
    }

    @Override
    public String name() {
        return "follower";
    }

    @Override
    public int leaderId() {
        return state.leader();
    }

    @Override
    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /** Records a leader answer: the leader's log ended at {@code leaderLeo}, this log at {@code localLeo}. */
    public void leaderAnswered(long leaderLeo, long localLeo, long nowMs) {
        leaderLogEndOffset = leaderLeo;
        if (localLeo >= leaderLeo) {
            caughtUpMs = nowMs;
        }
    }

    /** Records this follower is behind the leader by; 0 before the first answer. */
    public long lagRecords(long localLeo) {
        return leaderLogEndOffset < 0 ? 0 : Math.max(0, leaderLogEndOffset - localLeo);
    }

    /** Milliseconds since this follower last held everything the leader had. */
    public long lagMs(long localLeo, long nowMs) {
        return lagRecords(localLeo) == 0 ? 0 : Math.max(0, nowMs - caughtUpMs);
    }
}
