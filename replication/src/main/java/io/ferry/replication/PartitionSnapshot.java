package io.ferry.replication;

import io.ferry.storage.TopicPartition;

/**
 * A partition's state at one moment, for metrics and metadata answers.
 *
 * @param role              {@code "leader"}, {@code "follower"} or {@code "offline"}
 * @param underReplicated   a leader whose ISR is smaller than its replica set
 * @param followerLagRecords a follower: records the leader had at its last answer that this replica lacks
 * @param followerLagMs     a follower: time since it last held everything the leader had; 0 when caught up
 */
public record PartitionSnapshot(
        TopicPartition tp,
        String role,
        int leaderId,
        int leaderEpoch,
        int isrSize,
        boolean underReplicated,
        long logStartOffset,
        long logEndOffset,
        long highWatermark,
        long sizeInBytes,
        int segmentCount,
        long followerLagRecords,
        long followerLagMs) {

    public boolean isLeader() {
        return role.equals("leader");
    }

    public boolean isOffline() {
        return role.equals("offline");
    }
}
