package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.broker.group.OffsetsTopic;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's Metadata from Ferry's. Brokers are listed at the address of their Kafka listener (the endpoint
 * named {@link KafkaListener#ENDPOINT} they registered); a broker without one is left out, so a partition it leads looks
 * leaderless to a Kafka client. Topics named by id only (Metadata v10+ allows it) are not looked up: Kafka's
 * clients name topics. No cluster id: Ferry's metadata has none yet. Topics are not created on demand.
 */
final class KafkaMetadata {

    private KafkaMetadata() {}

    /**
     * Ferry's request for {@code kafka}'s topics. Kafka's null list is every topic, as Ferry's empty one; Kafka's
     * empty list is none, Ferry's {@code no_topics}, so that the broker builds no topic's answer.
     */
    static MetadataRequest request(MetadataRequestData kafka) {
        MetadataRequest.Builder request = MetadataRequest.newBuilder().setNoTopics(wantsNoTopics(kafka));
        if (kafka.topics() != null) {
            kafka.topics().stream().filter(t -> t.name() != null).forEach(t -> request.addTopics(t.name()));
        }
        return request.build();
    }

    private static boolean wantsNoTopics(MetadataRequestData kafka) {
        return kafka.topics() != null && kafka.topics().stream().allMatch(t -> t.name() == null);
    }

    /**
     * @param controllerId the answering broker, named as the controller: Kafka's admin client sends controller
     *                     calls there, and every Ferry broker forwards them to the controllers
     */
    static MetadataResponseData response(MetadataRequestData kafka, MetadataResponse ferry, int controllerId) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (BrokerRegistration broker : ferry.getBrokersList()) {
            for (Endpoint endpoint : broker.getEndpointsList()) {
                if (endpoint.getName().equals(KafkaListener.ENDPOINT)) {
                    brokers.add(new MetadataResponseBroker()
                            .setNodeId(broker.getBrokerId())
                            .setHost(endpoint.getHost())
                            .setPort(endpoint.getPort()));
                }
            }
        }
        MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
        ferry.getTopicsList().forEach(topic -> topics.add(topic(topic)));
        if (kafka.topics() != null) {
            kafka.topics().stream()
                    .filter(t -> t.name() == null)
                    .forEach(t -> topics.add(new MetadataResponseTopic()
                            .setTopicId(t.topicId())
                            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())));
        }
        return new MetadataResponseData()
                .setBrokers(brokers)
                .setControllerId(controllerId)
                .setClusterId(ferry.getClusterId().isEmpty() ? null : ferry.getClusterId())
                .setTopics(topics);
    }

    private static MetadataResponseTopic topic(TopicMetadata topic) {
        MetadataResponseTopic answer = new MetadataResponseTopic()
                .setName(topic.getName())
                .setErrorCode(KafkaErrors.of(topic.getError()).code())
                .setIsInternal(OffsetsTopic.isInternal(topic.getName()));
        if (topic.getError().getCode() != ErrorCode.NONE) {
            return answer;
        }
        List<MetadataResponsePartition> partitions = new ArrayList<>();
        for (PartitionRecord p : topic.getPartitionsList()) {
            partitions.add(new MetadataResponsePartition()
                    .setPartitionIndex(p.getPartition())
                    .setErrorCode(p.getLeader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setLeaderId(p.getLeader())
                    .setLeaderEpoch(p.getLeaderEpoch())
                    .setReplicaNodes(p.getReplicasList())
                    .setIsrNodes(p.getIsrList())
                    .setOfflineReplicas(List.of()));
        }
        return answer.setTopicId(topicId(topic.getTopicId())).setPartitions(partitions);
    }

    /** Ferry's topic id (a UUID in text form) as Kafka's; none for one that is not a UUID. */
    static Uuid topicId(String text) {
        try {
            UUID uuid = UUID.fromString(text);
            return new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
        } catch (IllegalArgumentException notAUuid) {
            return Uuid.ZERO_UUID;
        }
    }
}
