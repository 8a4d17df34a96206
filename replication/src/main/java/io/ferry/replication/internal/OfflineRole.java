package io.ferry.replication.internal;

/**
 * No leader is reachable through this replica: the partition has no leader, its log failed, or the
 * replica was just created and has no state yet.
 *
 * @param leaderEpoch the last epoch known, -1 if none
 * @param reason      why, for error messages
 */
public record OfflineRole(int leaderEpoch, String reason) implements ReplicaRole {

    @Override
    public String name() {
        return "offline";
    }

    @Override
    public int leaderId() {
        return -1;
    }
}
