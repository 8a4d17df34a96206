package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.group.OffsetsTopic;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import io.grpc.MethodDescriptor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A group stream's calls to its group's coordinator: the leader of the {@code __consumer_offsets} partition the
 * group id hashes to in this broker's metadata view (as FindCoordinator answers), reached over this broker's
 * channels, this one included, under the broker's identity (the stream's caller was authorized here). A call
 * that finds no coordinator fails with a {@link SubscribeRefusal} of COORDINATOR_NOT_AVAILABLE, which is
 * retriable; the first need of the offsets topic asks the controllers to create it, as FindCoordinator does.
 */
final class CoordinatorCalls implements Coordinator {

    private final Supplier<BrokerMetadata> metadata;
    private final BrokerChannels peers;
    private final OffsetsTopicCreation offsetsTopic;
    private final long requestTimeoutMillis;

    CoordinatorCalls(
            Supplier<BrokerMetadata> metadata,
            BrokerChannels peers,
            OffsetsTopicCreation offsetsTopic,
            long requestTimeoutMillis) {
        this.metadata = metadata;
        this.peers = peers;
        this.offsetsTopic = offsetsTopic;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    @Override
    public CompletableFuture<ConsumerGroupHeartbeatResponse> heartbeat(ConsumerGroupHeartbeatRequest request) {
        return call(request.getGroupId(), GroupServiceGrpc.getConsumerGroupHeartbeatMethod(), request);
    }

    @Override
    public CompletableFuture<OffsetCommitResponse> commit(OffsetCommitRequest request) {
        return call(request.getGroupId(), GroupServiceGrpc.getOffsetCommitMethod(), request);
    }

    @Override
    public CompletableFuture<OffsetFetchResponse> committed(OffsetFetchRequest request) {
        return call(request.getGroupId(), GroupServiceGrpc.getOffsetFetchMethod(), request);
    }

    private <Q, R> CompletableFuture<R> call(String groupId, MethodDescriptor<Q, R> method, Q request) {
        Optional<Integer> coordinator = coordinator(groupId);
        if (coordinator.isEmpty()) {
            return CompletableFuture.failedFuture(new SubscribeRefusal(
                    ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    "group '" + groupId + "' has no coordinator that is alive now; retrying"));
        }
        return peers.call(coordinator.get(), method, request, requestTimeoutMillis);
    }

    private Optional<Integer> coordinator(String groupId) {
        BrokerMetadata view = metadata.get();
        TopicRecord topic = view.topics().get(OffsetsTopic.NAME);
        if (topic == null) {
            offsetsTopic.request(view);
            return Optional.empty();
        }
        return view.partition(OffsetsTopic.NAME, OffsetsTopic.partitionFor(groupId, topic.getPartitionCount()))
                .map(PartitionRecord::getLeader)
                .filter(leader -> leader >= 0);
    }
}
