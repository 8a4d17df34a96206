package io.ferry.replication;

import io.ferry.storage.TopicPartition;

/** Where a {@link ReplicaManager} gets and removes the logs of the partitions it hosts. Thread-safe. */
public interface ReplicaLogs {

    /** The partition's log, created empty if this broker has none. */
    ReplicaLog open(TopicPartition tp);

    /** Removes the partition's log and its files; a no-op without one. */
    void delete(TopicPartition tp);
}
