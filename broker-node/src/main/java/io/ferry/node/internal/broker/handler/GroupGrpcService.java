package io.ferry.node.internal.broker.handler;

import io.ferry.group.ClassicMember;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.group.GroupTopics;
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
import io.ferry.proto.v1.Error;
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
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.security.AclOperation;
import io.ferry.security.ResourcePattern;
import io.ferry.security.ResourceType;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
    private final ClassicMemberHandler classic;
    private final OffsetCommitHandler offsetCommit;
    private final OffsetFetchHandler offsetFetch;
    private final OffsetDeleteHandler offsetDelete;
    private final GroupAdminHandler admin;
    private final BrokerAuthorizer authorizer;

    public GroupGrpcService(
            GroupCoordinatorRuntime runtime,
            OffsetsTopicCreation offsetsTopic,
            GroupTopics topics,
            Supplier<BrokerMetadata> metadata,
            BrokerMetrics metrics,
            BrokerAuthorizer authorizer) {
        this.metrics = metrics;
        this.authorizer = authorizer;
        this.findCoordinator = new FindCoordinatorHandler(metadata, offsetsTopic);
        this.heartbeat = new ConsumerGroupHeartbeatHandler(runtime, topics);
        this.classic = new ClassicMemberHandler(runtime, topics);
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
        Error denied = authorizer.group(Caller.current(), AclOperation.DESCRIBE, request.getGroupId());
        answer(
                "find_coordinator",
                observer,
                () -> CompletableFuture.completedFuture(
                        denied != null
                                ? FindCoordinatorResponse.newBuilder()
                                        .setError(denied)
                                        .setNodeId(-1)
                                        .build()
                                : findCoordinator.handle(request, external)));
    }

    @Override
    public void consumerGroupHeartbeat(
            ConsumerGroupHeartbeatRequest request, StreamObserver<ConsumerGroupHeartbeatResponse> observer) {
        String clientHost = CallerConnection.remoteHost();
        CallerConnection.Connection connection = CallerConnection.current();
        Caller caller = Caller.current();
        Error refusal = heartbeatDenied(caller, request);
        answer(
                "consumer_group_heartbeat",
                observer,
                () -> refusal != null
                        ? refusedHeartbeat(refusal)
                        : heartbeat.handle(request, clientHost, connection, caller));
    }

    /**
     * A classic member's JoinGroup, for the Kafka listener (gRPC has no classic protocol): the heartbeat's
     * authorization, then {@link io.ferry.group.CoordinatorShard#classicJoin}. The caller, its address and its
     * connection are the current context's, as for a gRPC call.
     *
     * @param sessionTimeoutMs the JoinGroup's session timeout, the member's own, which the listener has bounded
     */
    public CompletableFuture<ConsumerGroupHeartbeatResponse> classicJoin(
            ConsumerGroupHeartbeatRequest request, int sessionTimeoutMs) {
        return asHeartbeat(
                "classic_join",
                request,
                (host, connection, caller) ->
                        heartbeat.classicJoin(request, sessionTimeoutMs, host, connection, caller));
    }

    /**
     * A classic LeaveGroup's member, for the Kafka listener: READ on the group, then
     * {@link io.ferry.group.CoordinatorShard#classicLeave}.
     *
     * @param request group id, member id (may be empty when the instance id is set), instance id and client id
     */
    public CompletableFuture<ConsumerGroupHeartbeatResponse> classicLeave(ConsumerGroupHeartbeatRequest request) {
        return asHeartbeat(
                "classic_leave",
                request,
                (host, connection, caller) -> heartbeat.classicLeave(request, host, connection, caller));
    }

    /** A classic call decided as a heartbeat of the current context's caller, with the heartbeat's authorization. */
    @FunctionalInterface
    private interface HeartbeatCall {
        CompletableFuture<ConsumerGroupHeartbeatResponse> decide(
                String clientHost, CallerConnection.Connection connection, Caller caller);
    }

    private CompletableFuture<ConsumerGroupHeartbeatResponse> asHeartbeat(
            String name, ConsumerGroupHeartbeatRequest request, HeartbeatCall call) {
        String clientHost = CallerConnection.remoteHost();
        CallerConnection.Connection connection = CallerConnection.current();
        Caller caller = Caller.current();
        Error denied = heartbeatDenied(caller, request);
        return timed(
                name, () -> denied != null ? refusedHeartbeat(denied) : call.decide(clientHost, connection, caller));
    }

    private static CompletableFuture<ConsumerGroupHeartbeatResponse> refusedHeartbeat(Error denied) {
        return CompletableFuture.completedFuture(
                ConsumerGroupHeartbeatResponse.newBuilder().setError(denied).build());
    }

    /** A classic member's SyncGroup, for the Kafka listener: READ on the group. */
    public CompletableFuture<ConsumerGroupHeartbeatResponse> classicSync(ClassicMember member) {
        CallerConnection.Connection connection = CallerConnection.current();
        Error denied = authorizer.group(Caller.current(), AclOperation.READ, member.groupId());
        return timed(
                "classic_sync", () -> denied != null ? refusedHeartbeat(denied) : classic.sync(member, connection));
    }

    /** A classic member's Heartbeat, for the Kafka listener: READ on the group. */
    public CompletableFuture<ConsumerGroupHeartbeatResponse> classicHeartbeat(ClassicMember member) {
        CallerConnection.Connection connection = CallerConnection.current();
        Caller caller = Caller.current();
        Error denied = authorizer.group(caller, AclOperation.READ, member.groupId());
        return timed(
                "classic_heartbeat",
                () -> denied != null ? refusedHeartbeat(denied) : classic.heartbeat(member, connection, caller));
    }

    @Override
    public void offsetCommit(OffsetCommitRequest request, StreamObserver<OffsetCommitResponse> observer) {
        Caller caller = Caller.current();
        Error denied = authorizer.group(caller, AclOperation.READ, request.getGroupId());
        if (denied != null) {
            answer(
                    "offset_commit",
                    observer,
                    () -> CompletableFuture.completedFuture(
                            OffsetCommitResponse.newBuilder().setError(denied).build()));
            return;
        }
        // READ on each topic: the others are answered TOPIC_AUTHORIZATION_FAILED and not committed.
        OffsetCommitRequest.Builder allowed = request.toBuilder().clearTopics();
        List<PartitionErrorsByTopic> refused = new ArrayList<>();
        for (OffsetCommitRequest.Topic topic : request.getTopicsList()) {
            Error topicDenied = authorizer.topic(caller, AclOperation.READ, topic.getTopic());
            if (topicDenied == null) {
                allowed.addTopics(topic);
                continue;
            }
            refused.add(refusedPartitions(
                    topic.getTopic(),
                    topic.getPartitionsList().stream()
                            .map(OffsetCommitRequest.Partition::getPartition)
                            .toList(),
                    topicDenied));
        }
        answer(
                "offset_commit",
                observer,
                () -> refused.isEmpty()
                        ? offsetCommit.handle(request)
                        : offsetCommit
                                .handle(allowed.build())
                                .thenApply(response -> response.toBuilder()
                                        .addAllTopics(refused)
                                        .build()));
    }

    @Override
    public void offsetFetch(OffsetFetchRequest request, StreamObserver<OffsetFetchResponse> observer) {
        Caller caller = Caller.current();
        Error denied = authorizer.group(caller, AclOperation.DESCRIBE, request.getGroupId());
        if (denied != null) {
            answer(
                    "offset_fetch",
                    observer,
                    () -> CompletableFuture.completedFuture(
                            OffsetFetchResponse.newBuilder().setError(denied).build()));
            return;
        }
        if (request.getTopicsCount() == 0) {
            // Every committed offset: of the topics the caller may DESCRIBE, as Kafka's OffsetFetch.
            answer(
                    "offset_fetch",
                    observer,
                    () -> offsetFetch
                            .handle(request)
                            .thenApply(fetched -> fetched.toBuilder()
                                    .clearTopics()
                                    .addAllTopics(fetched.getTopicsList().stream()
                                            .filter(t -> authorizer.allows(
                                                    caller, AclOperation.DESCRIBE, ResourceType.TOPIC, t.getTopic()))
                                            .toList())
                                    .build()));
            return;
        }
        List<OffsetFetchResponse.Topic> refused = new ArrayList<>();
        List<PartitionsByTopic> allowed =
                permittedTopics(caller, AclOperation.DESCRIBE, request.getTopicsList(), (topic, topicDenied) -> {
                    OffsetFetchResponse.Topic.Builder t =
                            OffsetFetchResponse.Topic.newBuilder().setTopic(topic.getTopic());
                    topic.getPartitionsList()
                            .forEach(p -> t.addPartitions(OffsetFetchResponse.Partition.newBuilder()
                                    .setPartition(p)
                                    .setCommittedOffset(-1)
                                    .setCommittedLeaderEpoch(-1)
                                    .setError(topicDenied)));
                    refused.add(t.build());
                });
        answer(
                "offset_fetch",
                observer,
                // No topic left must not become "every topic".
                () -> (allowed.isEmpty()
                                ? CompletableFuture.completedFuture(OffsetFetchResponse.getDefaultInstance())
                                : offsetFetch.handle(request.toBuilder()
                                        .clearTopics()
                                        .addAllTopics(allowed)
                                        .build()))
                        .thenApply(fetched ->
                                fetched.toBuilder().addAllTopics(refused).build()));
    }

    @Override
    public void offsetDelete(OffsetDeleteRequest request, StreamObserver<OffsetDeleteResponse> observer) {
        Caller caller = Caller.current();
        Error denied = authorizer.group(caller, AclOperation.DELETE, request.getGroupId());
        if (denied != null) {
            answer(
                    "offset_delete",
                    observer,
                    () -> CompletableFuture.completedFuture(
                            OffsetDeleteResponse.newBuilder().setError(denied).build()));
            return;
        }
        List<PartitionErrorsByTopic> refused = new ArrayList<>();
        List<PartitionsByTopic> allowed = permittedTopics(
                caller,
                AclOperation.READ,
                request.getTopicsList(),
                (topic, topicDenied) ->
                        refused.add(refusedPartitions(topic.getTopic(), topic.getPartitionsList(), topicDenied)));
        answer(
                "offset_delete",
                observer,
                () -> (allowed.isEmpty() && !refused.isEmpty()
                                ? CompletableFuture.completedFuture(OffsetDeleteResponse.getDefaultInstance())
                                : offsetDelete.handle(request.toBuilder()
                                        .clearTopics()
                                        .addAllTopics(allowed)
                                        .build()))
                        .thenApply(deleted ->
                                deleted.toBuilder().addAllTopics(refused).build()));
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> observer) {
        Caller caller = Caller.current();
        // Kafka's ListGroups: DESCRIBE on the cluster lists every group; else the groups the caller may DESCRIBE.
        boolean all =
                authorizer.allows(caller, AclOperation.DESCRIBE, ResourceType.CLUSTER, ResourcePattern.CLUSTER_NAME);
        answer(
                "list_groups",
                observer,
                () -> all
                        ? admin.list()
                        : admin.list()
                                .thenApply(listed -> listed.toBuilder()
                                        .clearGroups()
                                        .addAllGroups(listed.getGroupsList().stream()
                                                .filter(g -> authorizer.allows(
                                                        caller,
                                                        AclOperation.DESCRIBE,
                                                        ResourceType.GROUP,
                                                        g.getGroupId()))
                                                .toList())
                                        .build()));
    }

    @Override
    public void describeGroups(DescribeGroupsRequest request, StreamObserver<DescribeGroupsResponse> observer) {
        Caller caller = Caller.current();
        List<DescribeGroupsResponse.Description> refused = new ArrayList<>();
        DescribeGroupsRequest allowed = DescribeGroupsRequest.newBuilder()
                .addAllGroupIds(permitted(
                        caller,
                        AclOperation.DESCRIBE,
                        request.getGroupIdsList(),
                        (group, denied) -> refused.add(DescribeGroupsResponse.Description.newBuilder()
                                .setGroupId(group)
                                .setError(denied)
                                .build())))
                .build();
        answer(
                "describe_groups",
                observer,
                () -> admin.describe(allowed)
                        .thenApply(described ->
                                described.toBuilder().addAllGroups(refused).build()));
    }

    @Override
    public void deleteGroups(DeleteGroupsRequest request, StreamObserver<DeleteGroupsResponse> observer) {
        Caller caller = Caller.current();
        List<DeleteGroupsResponse.Result> refused = new ArrayList<>();
        DeleteGroupsRequest allowed = DeleteGroupsRequest.newBuilder()
                .addAllGroupIds(permitted(
                        caller,
                        AclOperation.DELETE,
                        request.getGroupIdsList(),
                        (group, denied) -> refused.add(DeleteGroupsResponse.Result.newBuilder()
                                .setGroupId(group)
                                .setError(denied)
                                .build())))
                .build();
        answer(
                "delete_groups",
                observer,
                () -> admin.delete(allowed)
                        .thenApply(deleted ->
                                deleted.toBuilder().addAllResults(refused).build()));
    }

    /** READ on the group, then DESCRIBE on each topic subscribed by name (Kafka's heartbeat); null if allowed. */
    private Error heartbeatDenied(Caller caller, ConsumerGroupHeartbeatRequest request) {
        Error denied = authorizer.group(caller, AclOperation.READ, request.getGroupId());
        for (int i = 0; denied == null && i < request.getSubscribedTopicNames().getNamesCount(); i++) {
            denied = authorizer.topic(
                    caller,
                    AclOperation.DESCRIBE,
                    request.getSubscribedTopicNames().getNames(i));
        }
        return denied;
    }

    /** The topics the caller may do {@code operation} on; each other one is handed to {@code refused}. */
    private List<PartitionsByTopic> permittedTopics(
            Caller caller,
            AclOperation operation,
            List<PartitionsByTopic> topics,
            BiConsumer<PartitionsByTopic, Error> refused) {
        List<PartitionsByTopic> allowed = new ArrayList<>();
        for (PartitionsByTopic topic : topics) {
            Error denied = authorizer.topic(caller, operation, topic.getTopic());
            if (denied == null) {
                allowed.add(topic);
            } else {
                refused.accept(topic, denied);
            }
        }
        return allowed;
    }

    private static PartitionErrorsByTopic refusedPartitions(String topic, List<Integer> partitions, Error error) {
        PartitionErrorsByTopic.Builder errors =
                PartitionErrorsByTopic.newBuilder().setTopic(topic);
        partitions.forEach(p -> errors.addPartitions(PartitionErrorsByTopic.PartitionError.newBuilder()
                .setPartition(p)
                .setError(error)));
        return errors.build();
    }

    /** The groups the caller may do {@code operation} on; each other one is handed to {@code refused}. */
    private List<String> permitted(
            Caller caller, AclOperation operation, List<String> groups, BiConsumer<String, Error> refused) {
        List<String> allowed = new ArrayList<>();
        for (String group : groups) {
            Error denied = authorizer.group(caller, operation, group);
            if (denied == null) {
                allowed.add(group);
            } else {
                refused.accept(group, denied);
            }
        }
        return allowed;
    }

    /** Starts a call's handling and answers when it completes, timing it as {@code name}. */
    private <R> void answer(String name, StreamObserver<R> observer, Supplier<CompletableFuture<R>> handling) {
        timed(name, handling).whenComplete((response, failure) -> {
            if (failure == null) {
                observer.onNext(response);
                observer.onCompleted();
            } else {
                log.warn("A consumer group request failed unexpectedly", failure);
                observer.onError(Status.INTERNAL
                        .withDescription("the broker failed to handle the request: " + failure.getMessage())
                        .asRuntimeException());
            }
        });
    }

    /** Starts a call's handling, timing it as {@code name} until it completes. */
    private <R> CompletableFuture<R> timed(String name, Supplier<CompletableFuture<R>> handling) {
        long start = System.nanoTime();
        CompletableFuture<R> answered;
        try {
            answered = handling.get();
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        return answered.whenComplete(
                (response, failure) -> metrics.request(name).record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }
}
