package io.ferry.replication;

import io.ferry.storage.TopicPartition;

/**
 * One partition of a consumer fetch.
 *
 * @param currentLeaderEpoch the epoch the client last saw, -1 when it does not know (no check)
 */
public record FetchPartitionRequest(
        TopicPartition tp, long fetchOffset, int partitionMaxBytes, int currentLeaderEpoch) {}
