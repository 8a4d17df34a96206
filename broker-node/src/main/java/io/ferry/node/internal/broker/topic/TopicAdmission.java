package io.ferry.node.internal.broker.topic;

import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.CreateTopicRequest;

/**
 * What the broker does to a topic's CreateTopic or AlterTopicConfigs before it goes to the controllers,
 * as a Kafka broker does: fills in its defaults for a partition count or replication factor left out
 * ({@code num.partitions}, {@code default.replication.factor}) and refuses config overrides it could
 * not apply, and a {@code min.insync.replicas} the topic's replicas could never reach.
 */
public record TopicAdmission(int defaultPartitions, int defaultReplicationFactor, TopicConfigs configs) {

    /**
     * {@code request} with each of partition count and replication factor that is 0 (not set) replaced by
     * the default; negatives stay, for the controller to refuse.
     *
     * @throws InvalidTopicConfigException a config override is unknown, does not parse or is out of range,
     *                                     or {@code min.insync.replicas} (the override, else this broker's
     *                                     default) is above the replication factor
     */
    public CreateTopicRequest prepare(CreateTopicRequest request) throws InvalidTopicConfigException {
        TopicOverrides overrides = configs.validate(request.getConfigsMap());
        CreateTopicRequest.Builder filled = request.toBuilder();
        if (request.getPartitionCount() == 0) {
            filled.setPartitionCount(defaultPartitions);
        }
        if (request.getReplicationFactor() == 0) {
            filled.setReplicationFactor(defaultReplicationFactor);
        }
        if (filled.getReplicationFactor() > 0) {
            overrides.requireReachable(
                    filled.getReplicationFactor(), request.containsConfigs(TopicOverrides.MIN_INSYNC_REPLICAS));
        }
        return filled.build();
    }

    /** @throws InvalidTopicConfigException a key deleted is unknown, or the overrides after the change would not apply */
    public void checkConfigChange(AlterTopicConfigsRequest request) throws InvalidTopicConfigException {
        configs.validateChange(request.getName(), request.getSetMap(), request.getDeleteList());
    }
}
