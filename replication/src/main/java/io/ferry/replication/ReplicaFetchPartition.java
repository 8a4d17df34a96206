package io.ferry.replication;

import io.ferry.storage.TopicPartition;

/**
 * One partition of a follower's fetch from its leader.
 *
 * @param fetchOffset        the follower's log end offset
 * @param currentLeaderEpoch the leader epoch the follower follows
 * @param lastFetchedEpoch   the leader epoch of the follower's last batch, -1 for an empty log
 * @param maxBytes           bound for this partition (the first batch is sent even if larger)
 */
public record ReplicaFetchPartition(
        TopicPartition tp, long fetchOffset, int currentLeaderEpoch, int lastFetchedEpoch, int maxBytes) {}
