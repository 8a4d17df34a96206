package io.ferry.replication;

import io.ferry.storage.TopicPartition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a leader asks the controller to change a partition's ISR (compare-and-set on the partition
 * epoch). Implementations are thread-safe and do not block the caller.
 */
@FunctionalInterface
public interface AlterPartitionChannel {

    /**
     * @return completes with the partition's state after the change, or exceptionally with a
     *         {@link ReplicationException} naming why the controller refused it (a stale epoch, a fenced
     *         replica) or an other exception if no controller answered
     */
    CompletableFuture<LeaderAndIsr> alterPartition(
            TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr);
}
