package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;

/**
 * Kafka's ListOffsets as Ferry's: -2 (earliest), -1 (latest) or a timestamp, the same values in both. The
 * versions served (up to 6) cannot ask for more. The leader epoch a client names is not checked.
 */
final class KafkaListOffsets {

    private KafkaListOffsets() {}

    static ListOffsetsRequest request(ListOffsetsRequestData kafka) {
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : kafka.topics()) {
            ListOffsetsTopic.Builder t = ListOffsetsTopic.newBuilder().setTopic(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                t.addPartitions(ListOffsetsPartition.newBuilder()
                        .setPartition(p.partitionIndex())
                        .setTimestamp(p.timestamp()));
            }
            request.addTopics(t);
        }
        return request.build();
    }

    /** Kafka's answer at {@code version}: the leader epoch only from version 4, which has the field. */
    static ListOffsetsResponseData response(ListOffsetsResponse ferry, short version) {
        List<ListOffsetsTopicResponse> topics = new ArrayList<>();
        for (ListOffsetsTopicResult topic : ferry.getTopicsList()) {
            List<ListOffsetsPartitionResponse> partitions = new ArrayList<>();
            for (ListOffsetsPartitionResult p : topic.getPartitionsList()) {
                partitions.add(new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.getPartition())
                        .setErrorCode(KafkaErrors.of(p.getError()).code())
                        .setOffset(p.getOffset())
                        .setTimestamp(p.getTimestamp())
                        .setLeaderEpoch(version >= 4 ? p.getLeaderEpoch() : -1));
            }
            topics.add(new ListOffsetsTopicResponse().setName(topic.getTopic()).setPartitions(partitions));
        }
        return new ListOffsetsResponseData().setTopics(topics);
    }
}
