package io.ferry.replication.simulation;

import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.storage.TopicPartition;
import java.util.List;
import java.util.Optional;

/** What the invariants see of the brokers: each one's log (on its disk, up or down) and its live replica. */
interface Replicas {

    List<Integer> brokerIds();

    MemoryReplicaLog log(int broker, TopicPartition tp);

    /** The replica of {@code tp} in the broker's running process, if it is up and hosts one. */
    Optional<Partition> partition(int broker, TopicPartition tp);

    /** Whether {@code broker}'s log holds {@code batch} at the offset it was appended at. */
    default boolean holds(int broker, TopicPartition tp, PartitionHistory.Produced batch) {
        var stored = log(broker, tp).batchAt(batch.baseOffset);
        return stored != null && stored.producerId() == batch.id;
    }
}
