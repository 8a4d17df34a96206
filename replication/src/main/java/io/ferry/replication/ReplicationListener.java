package io.ferry.replication;

import io.ferry.storage.TopicPartition;

/**
 * Replication events for metrics. Called on the thread that caused the event; implementations must
 * be thread-safe and must not block.
 */
public interface ReplicationListener {

    ReplicationListener NONE = new ReplicationListener() {};

    /** This broker became the leader of {@code tp}. */
    default void leaderElected(TopicPartition tp) {}

    /** The controller accepted a smaller ISR for {@code tp} from this leader. */
    default void isrShrunk(TopicPartition tp) {}

    /** The controller accepted a larger ISR for {@code tp} from this leader. */
    default void isrExpanded(TopicPartition tp) {}
}
