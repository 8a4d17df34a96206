package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.storage.BufferLease;
import io.ferry.storage.TopicPartition;
import io.grpc.MethodDescriptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Partitions another broker leads, read with BrokerService's Fetch and ListOffsets on this broker's channel to it
 * (the leader applies consumer isolation and long-polls). Cancelling an answer cancels its call.
 */
final class RemoteLeader implements PartitionLeader {

    private final int leaderId;
    private final BrokerChannels peers;
    private final long requestTimeoutMillis;

    /** @param requestTimeoutMillis how long a call may take beyond its long-poll */
    RemoteLeader(int leaderId, BrokerChannels peers, long requestTimeoutMillis) {
        this.leaderId = leaderId;
        this.peers = peers;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    @Override
    public CompletableFuture<Long> listOffset(TopicPartition tp, long timestamp) {
        ListOffsetsRequest request = ListOffsetsRequest.newBuilder()
                .addTopics(ListOffsetsTopic.newBuilder()
                        .setTopic(tp.topic())
                        .addPartitions(ListOffsetsPartition.newBuilder()
                                .setPartition(tp.partition())
                                .setTimestamp(timestamp)))
                .build();
        return call(BrokerServiceGrpc.getListOffsetsMethod(), request, 0).thenCompose(response -> {
            ListOffsetsPartitionResult result = response.getTopics(0).getPartitions(0);
            if (result.getError().getCode() != ErrorCode.NONE) {
                return CompletableFuture.failedFuture(new SubscribeRefusal(
                        result.getError().getCode(), result.getError().getMessage()));
            }
            return CompletableFuture.completedFuture(result.getOffset());
        });
    }

    @Override
    public CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(
            List<Position> positions, int maxBytes, long maxWaitMs) {
        FetchTopic.Builder topic =
                FetchTopic.newBuilder().setTopic(positions.get(0).tp().topic());
        for (Position p : positions) {
            topic.addPartitions(FetchPartition.newBuilder()
                    .setPartition(p.tp().partition())
                    .setFetchOffset(p.offset())
                    .setPartitionMaxBytes(maxBytes)
                    .setCurrentLeaderEpoch(-1));
        }
        FetchRequest request = FetchRequest.newBuilder()
                .setMaxWaitMs((int) maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(maxBytes)
                .addTopics(topic)
                .build();
        return call(BrokerServiceGrpc.getFetchMethod(), request, maxWaitMs).thenApply(RemoteLeader::answersOf);
    }

    private static Map<TopicPartition, ReadAnswer> answersOf(FetchResponse response) {
        Map<TopicPartition, ReadAnswer> answers = new LinkedHashMap<>();
        for (FetchTopicResult t : response.getTopicsList()) {
            for (FetchPartitionResult p : t.getPartitionsList()) {
                ErrorCode error = p.getError().getCode();
                answers.put(
                        new TopicPartition(t.getTopic(), p.getPartition()),
                        error == ErrorCode.NONE
                                ? new ReadAnswer(error, "", p.getRecords().asReadOnlyByteBuffer(), BufferLease.NONE)
                                : ReadAnswer.failed(error, p.getError().getMessage()));
            }
        }
        return answers;
    }

    private <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request, long longPollMillis) {
        return peers.call(leaderId, method, request, longPollMillis + requestTimeoutMillis);
    }
}
