package io.ferry.node.internal.broker;

import io.ferry.proto.v1.CreateTopicRequest;

/**
 * The broker's defaults for a topic created without a partition count or replication factor
 * ({@code num.partitions}, {@code default.replication.factor}), filled in before the request goes to
 * the controllers, as a Kafka broker does for CreateTopics with -1.
 */
record TopicDefaults(int partitions, int replicationFactor) {

    /** {@code request} with each field that is 0 (not set) replaced by the default; negatives stay, to be refused. */
    CreateTopicRequest apply(CreateTopicRequest request) {
        CreateTopicRequest.Builder filled = request.toBuilder();
        if (request.getPartitionCount() == 0) {
            filled.setPartitionCount(partitions);
        }
        if (request.getReplicationFactor() == 0) {
            filled.setReplicationFactor(replicationFactor);
        }
        return filled.build();
    }
}
