package io.ferry.client;

import java.util.Collection;

/**
 * Told on the application's thread, inside {@link FerryConsumer#poll}, when the group changes the
 * consumer's partitions, as Kafka's listener is. The consumer is usable from the callbacks (commit, seek).
 */
public interface ConsumerRebalanceListener {

    /** The partitions are about to go to another member; with auto-commit their positions are committed already. */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** The partitions are this consumer's now; each starts at its committed offset or by {@code auto.offset.reset}. */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * The consumer was put out of the group (fenced, or no poll within {@code max.poll.interval.ms}): the
     * partitions may belong to others already, so their positions are not committed. By default as revoked.
     */
    default void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}
