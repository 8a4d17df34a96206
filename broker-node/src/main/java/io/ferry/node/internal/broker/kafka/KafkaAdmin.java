package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsResponse;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.DeleteRecordsTopicResult;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.TopicDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResultCollection;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBrokerCollection;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * Kafka's admin requests as Ferry's admin calls, one topic per call (Kafka batches them; the answers are put
 * back together in request order). Topics only: Kafka's broker configs, manual replica assignments and
 * validate-only requests have no Ferry counterpart and are refused with INVALID_REQUEST naming what is not
 * offered, for that topic or resource alone. A topic's configs are its overrides, described as Kafka's
 * dynamic topic configs; the server defaults behind them are not listed.
 */
final class KafkaAdmin {

    private KafkaAdmin() {}

    /** Ferry's CreateTopic for one of Kafka's topics; Kafka's -1 (the broker's default) is Ferry's 0. */
    static CreateTopicRequest createTopic(CreatableTopic kafka) {
        CreateTopicRequest.Builder request = CreateTopicRequest.newBuilder()
                .setName(kafka.name())
                .setPartitionCount(kafka.numPartitions() == -1 ? 0 : kafka.numPartitions())
                .setReplicationFactor(kafka.replicationFactor() == -1 ? 0 : kafka.replicationFactor());
        kafka.configs().forEach(c -> request.putConfigs(c.name(), c.value() == null ? "" : c.value()));
        return request.build();
    }

    /** Why Kafka's topic cannot be created here, or null when it can be asked for. */
    static String unsupported(CreatableTopic kafka, boolean validateOnly) {
        if (!kafka.assignments().isEmpty()) {
            return "Ferry places replicas itself: manual replica assignments are not offered";
        }
        if (validateOnly) {
            return "validate-only topic creation is not offered";
        }
        return null;
    }

    static CreatableTopicResult created(String name, CreateTopicResponse ferry) {
        Errors error = KafkaErrors.of(ferry.getError());
        CreatableTopicResult result = new CreatableTopicResult().setName(name).setErrorCode(error.code());
        if (error != Errors.NONE) {
            return result.setErrorMessage(ferry.getError().getMessage())
                    .setNumPartitions(-1)
                    .setReplicationFactor((short) -1);
        }
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        ferry.getTopic()
                .getConfigsMap()
                .forEach((key, value) -> configs.add(new CreatableTopicConfigs()
                        .setName(key)
                        .setValue(value)
                        .setConfigSource(ConfigSource.TOPIC_CONFIG.id())));
        return result.setTopicId(KafkaMetadata.topicId(ferry.getTopic().getTopicId()))
                .setNumPartitions(ferry.getTopic().getPartitionCount())
                .setReplicationFactor((short) ferry.getTopic().getReplicationFactor())
                .setConfigs(configs);
    }

    static CreatableTopicResult refusedTopic(String name, Errors error, String message) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1);
    }

    static boolean isTopic(byte resourceType) {
        return resourceType == ConfigResource.Type.TOPIC.id();
    }

    /** A topic's overrides as Kafka's dynamic topic configs, those named in {@code keys} (null: all). */
    static DescribeConfigsResult describedConfigs(DescribeConfigsResource resource, TopicDescription ferry) {
        DescribeConfigsResult result = new DescribeConfigsResult()
                .setResourceType(resource.resourceType())
                .setResourceName(resource.resourceName());
        Errors error = KafkaErrors.of(ferry.getError());
        if (error != Errors.NONE) {
            return result.setErrorCode(error.code())
                    .setErrorMessage(ferry.getError().getMessage());
        }
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (Map.Entry<String, String> entry : ferry.getTopic().getConfigsMap().entrySet()) {
            if (resource.configurationKeys() == null
                    || resource.configurationKeys().contains(entry.getKey())) {
                configs.add(new DescribeConfigsResourceResult()
                        .setName(entry.getKey())
                        .setValue(entry.getValue())
                        .setConfigSource(ConfigSource.TOPIC_CONFIG.id()));
            }
        }
        return result.setErrorCode(Errors.NONE.code()).setConfigs(configs);
    }

    /**
     * Ferry's AlterTopicConfigs for one of Kafka's resources: SET and DELETE; Kafka's APPEND and SUBTRACT (for
     * list-valued keys) are refused.
     */
    static AlterTopicConfigsRequest alterConfigs(AlterConfigsResource kafka) {
        AlterTopicConfigsRequest.Builder request =
                AlterTopicConfigsRequest.newBuilder().setName(kafka.resourceName());
        for (AlterableConfig config : kafka.configs()) {
            switch (config.configOperation()) {
                case 0 -> request.putSet(config.name(), config.value() == null ? "" : config.value());
                case 1 -> request.addDelete(config.name());
                default ->
                    throw new IllegalArgumentException("config operation " + config.configOperation() + " on "
                            + config.name() + ": only SET (0) and DELETE (1) are offered");
            }
        }
        return request.build();
    }

    static DeleteRecordsRequest deleteRecords(DeleteRecordsRequestData kafka) {
        DeleteRecordsRequest.Builder request = DeleteRecordsRequest.newBuilder();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : kafka.topics()) {
            DeleteRecordsTopic.Builder t = DeleteRecordsTopic.newBuilder().setTopic(topic.name());
            topic.partitions()
                    .forEach(p -> t.addPartitions(DeleteRecordsPartition.newBuilder()
                            .setPartition(p.partitionIndex())
                            .setOffset(p.offset())));
            request.addTopics(t);
        }
        return request.build();
    }

    static DeleteRecordsResponseData deletedRecords(DeleteRecordsResponse ferry) {
        List<DeleteRecordsResponseData.DeleteRecordsTopicResult> topics = new ArrayList<>();
        for (DeleteRecordsTopicResult topic : ferry.getTopicsList()) {
            DeleteRecordsPartitionResultCollection partitions = new DeleteRecordsPartitionResultCollection();
            topic.getPartitionsList()
                    .forEach(p -> partitions.add(new DeleteRecordsPartitionResult()
                            .setPartitionIndex(p.getPartition())
                            .setLowWatermark(p.getLowWatermark())
                            .setErrorCode(KafkaErrors.of(p.getError()).code())));
            topics.add(new DeleteRecordsResponseData.DeleteRecordsTopicResult()
                    .setName(topic.getTopic())
                    .setPartitions(partitions));
        }
        DeleteRecordsResponseData.DeleteRecordsTopicResultCollection collection =
                new DeleteRecordsResponseData.DeleteRecordsTopicResultCollection();
        collection.addAll(topics);
        return new DeleteRecordsResponseData().setTopics(collection);
    }

    /**
     * The brokers at their Kafka listeners. {@code controllerId} is the answering broker: Kafka's admin client
     * sends controller-bound calls (CreateTopics, …) to the node named there, and every Ferry broker forwards
     * them to the controllers, as a KRaft broker names itself. No cluster id: Ferry's metadata has none yet, so
     * it is empty. Fenced brokers are listed only when asked for (version 2 and later).
     */
    static DescribeClusterResponseData describedCluster(
            DescribeClusterResponse ferry, boolean includeFenced, int controllerId, short version) {
        Errors error = KafkaErrors.of(ferry.getError());
        DescribeClusterBrokerCollection brokers = new DescribeClusterBrokerCollection();
        for (BrokerRegistration broker : ferry.getBrokersList()) {
            if (broker.getFenced() && !includeFenced) {
                continue;
            }
            for (Endpoint endpoint : broker.getEndpointsList()) {
                if (endpoint.getName().equals(KafkaListener.ENDPOINT)) {
                    brokers.add(new DescribeClusterBroker()
                            .setBrokerId(broker.getBrokerId())
                            .setHost(endpoint.getHost())
                            .setPort(endpoint.getPort())
                            // Only version 2 has the field, and only it asks for fenced brokers.
                            .setIsFenced(version >= 2 && broker.getFenced()));
                }
            }
        }
        return new DescribeClusterResponseData()
                .setErrorCode(error.code())
                .setErrorMessage(error == Errors.NONE ? null : ferry.getError().getMessage())
                .setClusterId(ferry.getClusterId())
                .setControllerId(controllerId)
                .setBrokers(brokers);
    }

    /** Kafka's display of a group state ("Stable") for Ferry's ("STABLE"). */
    static String groupState(String ferry) {
        return ferry.isEmpty() ? ferry : ferry.charAt(0) + ferry.substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    static String message(Error error) {
        return KafkaErrors.of(error) == Errors.NONE ? null : error.getMessage();
    }
}
