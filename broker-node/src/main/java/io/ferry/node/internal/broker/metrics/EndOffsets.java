package io.ferry.node.internal.broker.metrics;

import io.ferry.storage.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The end offsets (high watermarks: what ListOffsets latest answers) of partitions, wherever they are led.
 * Implementations are thread-safe and never block the caller.
 */
public interface EndOffsets {

    /**
     * What was learned.
     *
     * @param offsets  partition to end offset; a partition whose end offset could not be learned is absent
     * @param failures why some were not learned, one line each (empty when every one was)
     */
    record Answer(Map<TopicPartition, Long> offsets, List<String> failures) {

        public Answer {
            offsets = Map.copyOf(offsets);
            failures = List.copyOf(failures);
        }
    }

    /** The end offsets of {@code partitions}; the answer never completes exceptionally. */
    CompletableFuture<Answer> latest(Set<TopicPartition> partitions);
}
