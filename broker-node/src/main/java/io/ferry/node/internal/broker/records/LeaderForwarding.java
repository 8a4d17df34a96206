package io.ferry.node.internal.broker.records;

import com.google.protobuf.UnsafeByteOperations;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.node.internal.broker.peer.PeerCallException;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicProduceResult;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends the batches of partitions another broker leads to it as one BrokerService Produce, on this broker's
 * channels (so under this broker's identity: the caller was authorized before), and turns its answer into one
 * {@link AppendAnswer} per partition. A call that fails answers every partition with a retriable error:
 * REQUEST_TIMED_OUT when the deadline passed (the records may have been appended, as for any timed-out produce),
 * else NOT_LEADER (the leader could not be reached: it may be gone, and a new one is elected). Started on a
 * call's thread, a forward is cancelled with that call. A leader refusing the request's size (RESOURCE_EXHAUSTED:
 * small records grow when encoded) answers BATCH_TOO_LARGE, which a retry would not change. Thread-safe.
 */
final class LeaderForwarding {

    /** Time beyond the leader's own timeout for its answer to come back. */
    static final long ANSWER_MARGIN_MS = 1_000;

    private final BrokerChannels peers;

    LeaderForwarding(BrokerChannels peers) {
        this.peers = peers;
    }

    /**
     * @param batches   each partition's batches
     * @param timeoutMs how long the leader waits for acks=all
     * @param answered  called once with an answer for every partition of {@code batches}, on any thread
     */
    void forward(
            int leaderId,
            String topic,
            Map<Integer, ByteBuffer> batches,
            Acks acks,
            long timeoutMs,
            Consumer<Map<Integer, AppendAnswer>> answered) {
        TopicProduceData.Builder data = TopicProduceData.newBuilder().setTopic(topic);
        batches.forEach((partition, records) -> data.addPartitions(PartitionProduceData.newBuilder()
                .setPartition(partition)
                .setRecords(UnsafeByteOperations.unsafeWrap(records.duplicate()))));
        ProduceRequest request = ProduceRequest.newBuilder()
                .setAcks(acks)
                .setTimeoutMs((int) timeoutMs)
                .addTopics(data)
                .build();
        peers.call(leaderId, BrokerServiceGrpc.getProduceMethod(), request, timeoutMs + ANSWER_MARGIN_MS)
                .whenComplete((response, failure) -> answered.accept(
                        failure == null ? answers(batches, response) : failed(leaderId, batches, failure)));
    }

    private static Map<Integer, AppendAnswer> failed(
            int leaderId, Map<Integer, ByteBuffer> batches, Throwable failure) {
        Status.Code code = failure instanceof PeerCallException call ? call.code() : Status.Code.UNKNOWN;
        return switch (code) {
            // The batches encode larger than the records came: past the leader's gRPC message limit.
            case RESOURCE_EXHAUSTED ->
                failedAll(
                        batches,
                        ErrorCode.BATCH_TOO_LARGE,
                        "the records for leader broker " + leaderId + " encode to more than it accepts in one"
                                + " request; send fewer records per request");
            case DEADLINE_EXCEEDED ->
                failedAll(
                        batches,
                        ErrorCode.REQUEST_TIMED_OUT,
                        "leader broker " + leaderId + " did not answer in time; the records may have been appended");
            default ->
                failedAll(
                        batches,
                        ErrorCode.NOT_LEADER,
                        "leader broker " + leaderId + " could not be reached (" + failure.getMessage()
                                + "); retry: a new leader is elected if it is gone");
        };
    }

    private static Map<Integer, AppendAnswer> answers(Map<Integer, ByteBuffer> batches, ProduceResponse response) {
        Map<Integer, AppendAnswer> answers = new HashMap<>();
        for (TopicProduceResult topic : response.getTopicsList()) {
            for (PartitionProduceResult result : topic.getPartitionsList()) {
                if (!batches.containsKey(result.getPartition())) {
                    continue; // not asked for: every asked partition is answered once, no more
                }
                answers.put(
                        result.getPartition(),
                        result.getError().getCode() == ErrorCode.NONE
                                ? new AppendAnswer(
                                        ErrorCode.NONE, "", result.getBaseOffset(), result.getLogAppendTimeMs())
                                : AppendAnswer.failed(
                                        result.getError().getCode(),
                                        result.getError().getMessage()));
            }
        }
        for (Integer partition : batches.keySet()) {
            answers.putIfAbsent(
                    partition,
                    AppendAnswer.failed(
                            ErrorCode.UNKNOWN_SERVER_ERROR,
                            "the leader's answer left partition " + partition + " out"));
        }
        return answers;
    }

    private static Map<Integer, AppendAnswer> failedAll(
            Map<Integer, ByteBuffer> batches, ErrorCode error, String message) {
        Map<Integer, AppendAnswer> answers = new HashMap<>();
        batches.keySet().forEach(p -> answers.put(p, AppendAnswer.failed(error, message)));
        return answers;
    }
}
