package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.group.ClusterTopics;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.ListGroupsRequest;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetDeleteRequest;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferry.v1.GroupService} on the node's gRPC port: consumer groups, one handler per call kind, each on the
 * coordinator runtime ({@link GroupCoordinatorRuntime}). Calls that wait for the coordinator hold no thread;
 * their answer is written from the thread that completes them. A call that fails unexpectedly is answered
 * with INTERNAL, never by stopping anything else.
 */
public final class GroupGrpcService implements GroupServiceGrpc.AsyncService, BindableService {

    private static final Logger log = LoggerFactory.getLogger(GroupGrpcService.class);

    private final BrokerMetrics metrics;
    private final FindCoordinatorHandler findCoordinator;
    private final ConsumerGroupHeartbeatHandler heartbeat;
    private final OffsetCommitHandler offsetCommit;
    private final OffsetFetchHandler offsetFetch;
    private final OffsetDeleteHandler offsetDelete;
    private final GroupAdminHandler admin;

    public GroupGrpcService(
            GroupCoordinatorRuntime runtime,
            OffsetsTopicCreation offsetsTopic,
            ClusterTopics topics,
            Supplier<BrokerMetadata> metadata,
            BrokerMetrics metrics) {
        this.metrics = metrics;
        this.findCoordinator = new FindCoordinatorHandler(metadata, offsetsTopic);
        this.heartbeat = new ConsumerGroupHeartbeatHandler(runtime, topics);
        this.offsetCommit = new OffsetCommitHandler(runtime, metadata);
        this.offsetFetch = new OffsetFetchHandler(runtime);
        this.offsetDelete = new OffsetDeleteHandler(runtime);
        this.admin = new GroupAdminHandler(runtime);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return GroupServiceGrpc.bindService(this);
    }

    @Override
    public void findCoordinator(FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> observer) {
        boolean external = CallerListener.isExternal();
        answer(
                "find_coordinator",
                observer,
                () -> CompletableFuture.completedFuture(findCoordinator.handle(request, external)));
    }

    @Override
    public void consumerGroupHeartbeat(
            ConsumerGroupHeartbeatRequest request, StreamObserver<ConsumerGroupHeartbeatResponse> observer) {
        String clientHost = CallerConnection.remoteHost();
        CallerConnection.Connection connection = CallerConnection.current();
        answer("consumer_group_heartbeat", observer, () -> heartbeat.handle(request, clientHost, connection));
    }

    @Override
    public void offsetCommit(OffsetCommitRequest request, StreamObserver<OffsetCommitResponse> observer) {
        answer("offset_commit", observer, () -> offsetCommit.handle(request));
    }

    @Override
    public void offsetFetch(OffsetFetchRequest request, StreamObserver<OffsetFetchResponse> observer) {
        answer("offset_fetch", observer, () -> offsetFetch.handle(request));
    }

    @Override
    public void offsetDelete(OffsetDeleteRequest request, StreamObserver<OffsetDeleteResponse> observer) {
        answer("offset_delete", observer, () -> offsetDelete.handle(request));
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> observer) {
        answer("list_groups", observer, admin::list);
    }

    @Override
    public void describeGroups(DescribeGroupsRequest request, StreamObserver<DescribeGroupsResponse> observer) {
        answer("describe_groups", observer, () -> admin.describe(request));
    }

    @Override
    public void deleteGroups(DeleteGroupsRequest request, StreamObserver<DeleteGroupsResponse> observer) {
        answer("delete_groups", observer, () -> admin.delete(request));
    }

    /** Starts a call's handling and answers when it completes, timing it as {@code name}. */
    private <R> void answer(String name, StreamObserver<R> observer, Supplier<CompletableFuture<R>> handling) {
        long start = System.nanoTime();
        CompletableFuture<R> answered;
        try {
            answered = handling.get();
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        answered.whenComplete((response, failure) -> {
            if (failure == null) {
                observer.onNext(response);
                observer.onCompleted();
            } else {
                log.warn("A consumer group request failed unexpectedly", failure);
                observer.onError(Status.INTERNAL
                        .withDescription("the broker failed to handle the request: " + failure.getMessage())
                        .asRuntimeException());
            }
            metrics.request(name).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
    }
}
