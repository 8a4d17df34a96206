package io.ferry.controller.internal;

import com.google.protobuf.Message;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AllocateProducerIdsResponse;
import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControlledShutdownResponse;
import io.ferry.proto.v1.ControllerInfo;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.DescribeClientQuotasResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.RegisterBrokerResponse;
import io.ferry.proto.v1.TopicDescription;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The controller gRPC service of one controller node. Reads (describe cluster, fetch metadata) are served
 * from this node's applied metadata, which carries its version (a metadata fetch may wait for a newer one,
 * see {@link MetadataLongPolls}); decisions go through the
 * {@link RequestRouter} to the active controller, each mutating admin request with its idempotency key
 * moved into the {@link ActiveControllerRequest} wrapper. Errors are answered in the response's
 * {@code error} field, never as gRPC statuses. Thread-safe.
 */
public final class ControllerGrpcService extends ControllerServiceGrpc.ControllerServiceImplBase {

    /** The longest a FetchMetadata may ask to be held. */
    static final int MAX_FETCH_METADATA_WAIT_MS = 10_000;

    private final int nodeId;
    private final Map<Integer, String> voters;
    private final IntSupplier leaderId;
    private final MetadataState state;
    private final MetadataLongPolls metadataPolls;
    private final RequestRouter router;
    private final Thread.UncaughtExceptionHandler fatalErrors;

    /**
     * @param leaderId the Raft leader's node id as this node knows it, -1 when unknown
     * @param fatalErrors gets an {@link java.lang.Error} that ended a request's routing
     */
    public ControllerGrpcService(
            int nodeId,
            Map<Integer, String> voters,
            IntSupplier leaderId,
            MetadataState state,
            MetadataLongPolls metadataPolls,
            RequestRouter router,
            Thread.UncaughtExceptionHandler fatalErrors) {
        this.nodeId = nodeId;
        this.voters = voters;
        this.leaderId = leaderId;
        this.state = state;
        this.metadataPolls = metadataPolls;
        this.router = router;
        this.fatalErrors = fatalErrors;
    }

    @Override
    public void registerBroker(RegisterBrokerRequest request, StreamObserver<RegisterBrokerResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder().setRegisterBroker(request).build(),
                observer,
                ActiveControllerResponse::getRegisterBroker);
    }

    @Override
    public void brokerHeartbeat(BrokerHeartbeatRequest request, StreamObserver<BrokerHeartbeatResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder().setBrokerHeartbeat(request).build(),
                observer,
                ActiveControllerResponse::getBrokerHeartbeat);
    }

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setCreateTopic(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getCreateTopic);
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setDeleteTopic(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getDeleteTopic);
    }

    @Override
    public void createAcls(CreateAclsRequest request, StreamObserver<CreateAclsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setCreateAcls(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getCreateAcls);
    }

    @Override
    public void deleteAcls(DeleteAclsRequest request, StreamObserver<DeleteAclsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setDeleteAcls(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getDeleteAcls);
    }

    @Override
    public void describeAcls(DescribeAclsRequest request, StreamObserver<DescribeAclsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder().setDescribeAcls(request).build(),
                observer,
                ActiveControllerResponse::getDescribeAcls);
    }

    /** Without an idempotency key: see {@code AlterUserScramCredentialsRequest}. */
    @Override
    public void alterUserScramCredentials(
            AlterUserScramCredentialsRequest request, StreamObserver<AlterUserScramCredentialsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setAlterUserScramCredentials(request)
                        .build(),
                observer,
                ActiveControllerResponse::getAlterUserScramCredentials);
    }

    @Override
    public void alterClientQuotas(
            AlterClientQuotasRequest request, StreamObserver<AlterClientQuotasResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setAlterClientQuotas(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getAlterClientQuotas);
    }

    @Override
    public void describeClientQuotas(
            DescribeClientQuotasRequest request, StreamObserver<DescribeClientQuotasResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setDescribeClientQuotas(request)
                        .build(),
                observer,
                ActiveControllerResponse::getDescribeClientQuotas);
    }

    @Override
    public void createPartitions(CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setCreatePartitions(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getCreatePartitions);
    }

    @Override
    public void alterTopicConfigs(
            AlterTopicConfigsRequest request, StreamObserver<AlterTopicConfigsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey(request.getIdempotencyKey())
                        .setAlterTopicConfigs(request.toBuilder().clearIdempotencyKey())
                        .build(),
                observer,
                ActiveControllerResponse::getAlterTopicConfigs);
    }

    @Override
    public void alterPartition(AlterPartitionRequest request, StreamObserver<AlterPartitionResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder().setAlterPartition(request).build(),
                observer,
                ActiveControllerResponse::getAlterPartition);
    }

    @Override
    public void controlledShutdown(
            ControlledShutdownRequest request, StreamObserver<ControlledShutdownResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setControlledShutdown(request)
                        .build(),
                observer,
                ActiveControllerResponse::getControlledShutdown);
    }

    @Override
    public void allocateProducerIds(
            AllocateProducerIdsRequest request, StreamObserver<AllocateProducerIdsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder()
                        .setAllocateProducerIds(request)
                        .build(),
                observer,
                ActiveControllerResponse::getAllocateProducerIds);
    }

    @Override
    public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> observer) {
        route(
                ActiveControllerRequest.newBuilder().setDescribeTopics(request).build(),
                observer,
                ActiveControllerResponse::getDescribeTopics,
                e -> DescribeTopicsResponse.newBuilder()
                        .addTopics(TopicDescription.newBuilder().setError(e))
                        .build());
    }

    @Override
    public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
        int leader = leaderId.getAsInt();
        DescribeClusterResponse.Builder b = DescribeClusterResponse.newBuilder()
                .setError(Errors.NONE)
                .setControllerLeaderId(leader)
                .setAnsweringNodeId(nodeId);
        MetadataImage image = state.image();
        b.addAllBrokers(image.getBrokersList())
                .addAllPartitions(image.getPartitionsList())
                .setMetadataVersion(image.getVersion())
                .setClusterId(image.getClusterId());
        voters.forEach((id, address) -> b.addControllers(ControllerInfo.newBuilder()
                .setNodeId(id)
                .setRaftAddress(address)
                .setLeader(id == leader)));
        observer.onNext(b.build());
        observer.onCompleted();
    }

    @Override
    public void fetchMetadata(FetchMetadataRequest request, StreamObserver<FetchMetadataResponse> observer) {
        int maxWaitMs = request.getMaxWaitMs();
        if (maxWaitMs < 0 || maxWaitMs > MAX_FETCH_METADATA_WAIT_MS) {
            observer.onNext(FetchMetadataResponse.newBuilder()
                    .setError(Errors.of(
                            ErrorCode.INVALID_REQUEST,
                            "max_wait_ms must be 0.." + MAX_FETCH_METADATA_WAIT_MS + ", was " + maxWaitMs))
                    .build());
            observer.onCompleted();
            return;
        }
        // A caller gone while its call is held is answered into the void, not with an exception.
        ((ServerCallStreamObserver<FetchMetadataResponse>) observer).setOnCancelHandler(() -> {});
        metadataPolls.answerWhenNewer(request.getSinceVersion(), maxWaitMs, () -> {
            observer.onNext(state.changesSince(request.getSinceVersion()));
            observer.onCompleted();
        });
    }

    /**
     * Routes the request; a failure is answered as a response of the type {@code answer} unwraps, carrying only
     * the error ({@link Errors#responseLike}).
     */
    private <T extends Message> void route(
            ActiveControllerRequest request, StreamObserver<T> observer, Function<ActiveControllerResponse, T> answer) {
        T type = answer.apply(ActiveControllerResponse.getDefaultInstance());
        route(request, observer, answer, e -> Errors.responseLike(type, e));
    }

    private <T> void route(
            ActiveControllerRequest request,
            StreamObserver<T> observer,
            Function<ActiveControllerResponse, T> answer,
            Function<Error, T> failure) {
        router.route(request).whenComplete((response, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.lang.Error error) {
                fatalErrors.uncaughtException(Thread.currentThread(), error);
            }
            if (e != null) {
                observer.onNext(failure.apply(Errors.of(ErrorCode.UNKNOWN_SERVER_ERROR, String.valueOf(e))));
            } else if (response.hasError()) {
                observer.onNext(failure.apply(response.getError()));
            } else {
                observer.onNext(answer.apply(response));
            }
            observer.onCompleted();
        });
    }
}
