package io.ferry.client.internal;

import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The group protocol's partitions-by-topic lists, built from partitions. */
final class PartitionsByTopics {

    private PartitionsByTopics() {}

    /** One entry per topic, topics and partitions in order (so equal sets give equal requests). */
    static List<PartitionsByTopic> of(Collection<TopicPartition> partitions) {
        Map<String, PartitionsByTopic.Builder> topics = new TreeMap<>();
        partitions.stream()
                .sorted(Comparator.comparingInt(TopicPartition::partition))
                .forEach(tp -> topics.computeIfAbsent(
                                tp.topic(), t -> PartitionsByTopic.newBuilder().setTopic(t))
                        .addPartitions(tp.partition()));
        return topics.values().stream().map(PartitionsByTopic.Builder::build).toList();
    }
}
