package io.ferry.replication.internal;

/**
 * What a replica is for its partition: {@link LeaderRole}, {@link FollowerRole} or {@link OfflineRole}.
 * Immutable except the leader's replica tracking; {@code io.ferry.replication.Partition} alone decides
 * the moves between roles and calls them under its lock.
 */
public sealed interface ReplicaRole permits LeaderRole, FollowerRole, OfflineRole {

    /** For metrics and snapshots. */
    String name();

    /** The leader as this replica knows it; -1 when none. */
    int leaderId();

    /** The leader epoch this replica is at; -1 when it never had one. */
    int leaderEpoch();
}
