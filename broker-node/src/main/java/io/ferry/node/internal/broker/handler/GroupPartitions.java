package io.ferry.node.internal.broker.handler;

import io.ferry.group.Assignment;
import io.ferry.group.TopicPartition;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Partitions of consumer group calls in the API's form: grouped by topic, in the order given. */
final class GroupPartitions {

    private GroupPartitions() {}

    static List<PartitionsByTopic> byTopic(Assignment assignment) {
        return assignment.byTopic().entrySet().stream()
                .map(e -> PartitionsByTopic.newBuilder()
                        .setTopic(e.getKey())
                        .addAllPartitions(e.getValue())
                        .build())
                .toList();
    }

    /** Each partition's error, grouped by topic in the order of {@code errors}' iteration. */
    static List<PartitionErrorsByTopic> errorsByTopic(Map<TopicPartition, Error> errors) {
        Map<String, PartitionErrorsByTopic.Builder> topics = new LinkedHashMap<>();
        errors.forEach((tp, error) -> topics.computeIfAbsent(
                        tp.topic(), t -> PartitionErrorsByTopic.newBuilder().setTopic(t))
                .addPartitions(PartitionErrorsByTopic.PartitionError.newBuilder()
                        .setPartition(tp.partition())
                        .setError(error)));
        return topics.values().stream()
                .map(PartitionErrorsByTopic.Builder::build)
                .toList();
    }
}
