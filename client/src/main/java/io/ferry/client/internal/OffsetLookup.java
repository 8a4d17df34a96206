package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Blocking ListOffsets for many partitions: one request per partition leader, retrying partitions
 * that hit a retriable error (after a metadata refresh) until the deadline. Holds no mutable state
 * of its own; thread-safe as its collaborators are.
 */
public final class OffsetLookup {

    /** Ask for the log start offset. */
    public static final long EARLIEST = -2L;
    /** Ask for the log end offset (the high watermark as consumers see it). */
    public static final long LATEST = -1L;

    private final MetadataManager metadata;
    private final Channels channels;
    private final long requestTimeoutMs;

    public OffsetLookup(MetadataManager metadata, Channels channels, long requestTimeoutMs) {
        this.metadata = metadata;
        this.channels = channels;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /**
     * @param timestamps per partition: {@link #EARLIEST}, {@link #LATEST} or milliseconds since the epoch
     * @return per partition, the broker's result (offset -1 when no record is at or after the timestamp)
     * @throws FerryException        for a non-retriable error
     * @throws FerryTimeoutException when some partition has no answer by the deadline
     */
    public Map<TopicPartition, ListOffsetsPartitionResult> list(Map<TopicPartition, Long> timestamps,
                                                                  long deadlineNanos, long timeoutMs) {
        timestamps.keySet().forEach(tp -> metadata.addTopic(tp.topic()));
        Map<TopicPartition, Long> pending = new LinkedHashMap<>(timestamps);
        Map<TopicPartition, ListOffsetsPartitionResult> done = new HashMap<>();
        String lastError = "no leader known";
        while (true) {
            ClusterView view = metadata.view();
            Map<Integer, Map<TopicPartition, Long>> byLeader = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e : pending.entrySet()) {
                int leader = view.leader(e.getKey());
                if (leader >= 0) {
                    byLeader.computeIfAbsent(leader, id -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<Integer, Map<TopicPartition, Long>> e : byLeader.entrySet()) {
                try {
                    ListOffsetsResponse response = call(view.address(e.getKey()), e.getValue(), deadlineNanos);
                    for (ListOffsetsTopicResult topic : response.getTopicsList()) {
                        for (ListOffsetsPartitionResult result : topic.getPartitionsList()) {
                            TopicPartition tp = new TopicPartition(topic.getTopic(), result.getPartition());
                            if (!e.getValue().containsKey(tp)) {
                                continue;
                            }
                            ErrorCode code = result.hasError() ? result.getError().getCode() : ErrorCode.NONE;
                            if (code == ErrorCode.NONE) {
                                done.put(tp, result);
                                pending.remove(tp);
                            } else if (ErrorCodes.isRetriable(code)) {
                                lastError = tp + ": " + code + " " + result.getError().getMessage();
                            } else {
                                throw new FerryException(code, tp + ": " + result.getError().getMessage());
                            }
                        }
                    }
                } catch (StatusRuntimeException ex) {
                    lastError = "broker " + e.getKey() + ": " + ex.getStatus();
                }
            }
            if (pending.isEmpty()) {
                return done;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new FerryTimeoutException("Failed to list offsets of " + pending.keySet() + " within " + timeoutMs
                        + " ms; last error: " + lastError);
            }
            try {
                metadata.awaitUpdate(deadlineNanos);
            } catch (FerryTimeoutException e) {
                // The loop's own deadline check reports it with the partitions and the last error.
            }
        }
    }

    private ListOffsetsResponse call(InetSocketAddress address, Map<TopicPartition, Long> partitions,
                                     long deadlineNanos) {
        Map<String, ListOffsetsTopic.Builder> topics = new LinkedHashMap<>();
        partitions.forEach((tp, ts) -> topics.computeIfAbsent(tp.topic(), t -> ListOffsetsTopic.newBuilder().setTopic(t))
                .addPartitions(ListOffsetsPartition.newBuilder().setPartition(tp.partition()).setTimestamp(ts)));
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        long timeoutNanos = Math.max(1, Math.min(deadlineNanos - System.nanoTime(),
                TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs)));
        return BrokerServiceGrpc.newBlockingStub(channels.get(address))
                .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).listOffsets(request.build());
    }
}
