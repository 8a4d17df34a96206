package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.group.CoordinatorLookup;
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
import io.grpc.MethodDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A group stream's calls to its group's coordinator ({@link CoordinatorLookup}, as FindCoordinator answers),
 * reached over this broker's
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
        CoordinatorLookup.Found found = CoordinatorLookup.find(metadata.get(), groupId, offsetsTopic);
        if (!found.found()) {
            return CompletableFuture.failedFuture(
                    new SubscribeRefusal(ErrorCode.COORDINATOR_NOT_AVAILABLE, found.unavailable()));
        }
        return peers.call(found.coordinator().getBrokerId(), method, request, requestTimeoutMillis);
    }
}
