package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicProduceResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponseCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Kafka's Produce as Ferry's: the record bytes are not decoded or copied. Kafka's request was read from one
 * direct buffer, so each partition's records are a writable direct slice of it, which is what the broker's
 * produce path takes (it patches offsets into the slice and writes it to the log).
 */
final class KafkaProduce {

    private KafkaProduce() {}

    /** Ferry's acks for Kafka's, or null for a value Kafka refuses too (INVALID_REQUIRED_ACKS). */
    static Acks acks(short kafkaAcks) {
        return switch (kafkaAcks) {
            case -1 -> Acks.ACKS_ALL;
            case 0 -> Acks.ACKS_NONE;
            case 1 -> Acks.ACKS_LEADER;
            default -> null;
        };
    }

    /**
     * Ferry's request for {@code kafka}; {@code release} is its buffer's recycling, which the produce path runs
     * once the log is done with the slices.
     */
    static OffHeapProduceRequest request(ProduceRequestData kafka, Acks acks, Runnable release) {
        ProduceRequest.Builder request =
                ProduceRequest.newBuilder().setAcks(acks).setTimeoutMs(Math.max(0, kafka.timeoutMs()));
        List<ByteBuffer> records = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : kafka.topicData()) {
            TopicProduceData.Builder t = TopicProduceData.newBuilder().setTopic(topic.name());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                t.addPartitions(PartitionProduceData.newBuilder().setPartition(partition.index()));
                records.add(slice(partition.records()));
            }
            request.addTopics(t);
        }
        return new OffHeapProduceRequest(request.build(), records, release);
    }

    /** The partition's record bytes, position 0 to capacity; null records (which Kafka's schema allows) are none. */
    private static ByteBuffer slice(BaseRecords records) {
        if (records instanceof MemoryRecords memory) {
            return memory.buffer().slice();
        }
        return ByteBuffer.allocateDirect(0);
    }

    /** Every partition of {@code kafka} refused with {@code error}, as Kafka refuses a whole request. */
    static ProduceResponseData refused(ProduceRequestData kafka, Errors error, String message) {
        TopicProduceResponseCollection topics = new TopicProduceResponseCollection();
        for (ProduceRequestData.TopicProduceData topic : kafka.topicData()) {
            List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                partitions.add(new PartitionProduceResponse()
                        .setIndex(partition.index())
                        .setErrorCode(error.code())
                        .setErrorMessage(message)
                        .setBaseOffset(-1)
                        .setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1));
            }
            topics.add(new TopicProduceResponse().setName(topic.name()).setPartitionResponses(partitions));
        }
        return new ProduceResponseData().setResponses(topics);
    }

    static ProduceResponseData response(ProduceResponse ferry) {
        TopicProduceResponseCollection topics = new TopicProduceResponseCollection();
        for (TopicProduceResult topic : ferry.getTopicsList()) {
            List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (PartitionProduceResult p : topic.getPartitionsList()) {
                Errors error = KafkaErrors.of(p.getError());
                partitions.add(new PartitionProduceResponse()
                        .setIndex(p.getPartition())
                        .setErrorCode(error.code())
                        .setErrorMessage(
                                error == Errors.NONE ? null : p.getError().getMessage())
                        .setBaseOffset(p.getBaseOffset())
                        .setLogAppendTimeMs(p.getLogAppendTimeMs())
                        .setLogStartOffset(p.getLogStartOffset()));
            }
            TopicProduceResponse existing = topics.find(topic.getTopic(), Uuid.ZERO_UUID);
            if (existing != null) {
                existing.partitionResponses().addAll(partitions);
            } else {
                topics.add(new TopicProduceResponse().setName(topic.getTopic()).setPartitionResponses(partitions));
            }
        }
        return new ProduceResponseData().setResponses(topics).setThrottleTimeMs(ferry.getThrottleTimeMs());
    }
}
