package io.ferry.replication.internal;

import io.ferry.replication.LeaderAndIsr;

/**
 * A follower of {@code state.leader()}: refuses client appends and reads with NOT_LEADER naming the
 * leader. Fetching from the leader and truncating to its epoch history belong to the replica fetcher.
 */
public record FollowerRole(LeaderAndIsr state) implements ReplicaRole {

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
}
