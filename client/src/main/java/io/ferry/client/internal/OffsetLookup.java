package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blocking ListOffsets for many partitions, each asked of its leader ({@link PartitionLeaderCalls}).
 * Thread-safe.
 */
public final class OffsetLookup {

    /** Ask for the log start offset. */
    public static final long EARLIEST = -2L;
    /** Ask for the log end offset (the high watermark as consumers see it). */
    public static final long LATEST = -1L;

    private final PartitionLeaderCalls leaders;

    public OffsetLookup(MetadataManager metadata, Channels channels, long requestTimeoutMs) {
        this.leaders = new PartitionLeaderCalls(metadata, channels, requestTimeoutMs);
    }

    /**
     * @param timestamps per partition: {@link #EARLIEST}, {@link #LATEST} or milliseconds since the epoch
     * @return per partition, the broker's result (offset -1 when no record is at or after the timestamp)
     * @throws FerryException        for a non-retriable error
     * @throws FerryTimeoutException when some partition has no answer by the deadline
     */
    public Map<TopicPartition, ListOffsetsPartitionResult> list(
            Map<TopicPartition, Long> timestamps, long deadlineNanos, long timeoutMs) {
        return leaders.call(
                "list offsets of",
                timestamps,
                OffsetLookup::listOffsets,
                ListOffsetsPartitionResult::getError,
                deadlineNanos,
                timeoutMs);
    }

    private static Map<TopicPartition, ListOffsetsPartitionResult> listOffsets(
            BrokerServiceBlockingStub stub, Map<TopicPartition, Long> partitions) {
        Map<String, ListOffsetsTopic.Builder> topics = new LinkedHashMap<>();
        partitions.forEach((tp, ts) -> topics.computeIfAbsent(
                        tp.topic(), t -> ListOffsetsTopic.newBuilder().setTopic(t))
                .addPartitions(ListOffsetsPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setTimestamp(ts)));
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        Map<TopicPartition, ListOffsetsPartitionResult> results = new LinkedHashMap<>();
        for (ListOffsetsTopicResult topic : stub.listOffsets(request.build()).getTopicsList()) {
            for (ListOffsetsPartitionResult result : topic.getPartitionsList()) {
                results.put(new TopicPartition(topic.getTopic(), result.getPartition()), result);
            }
        }
        return results;
    }
}
