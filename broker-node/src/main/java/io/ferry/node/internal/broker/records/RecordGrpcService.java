package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.node.internal.broker.quota.ClientThrottle;
import io.ferry.node.internal.broker.quota.HandlerTime;
import io.ferry.node.internal.broker.quota.QuotaClient;
import io.ferry.node.internal.broker.topic.TopicConfigs;
import io.ferry.node.internal.broker.wire.ServiceRebinding;
import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.TopicPartition;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ferry.v1.RecordService} on the node's gRPC port. */
public final class RecordGrpcService implements RecordServiceGrpc.AsyncService, BindableService {

    private static final Logger log = LoggerFactory.getLogger(RecordGrpcService.class);

    /** The client id a group stream's member has in the group when its caller sent none. */
    static final String DEFAULT_CLIENT_ID = "ferry-subscribe";

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerChannels peers;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final Limits limits;
    private final PublishHandler publish;
    private final ClientThrottle throttle;
    private final FetchMemory fetchMemory;
    private final LocalLeader localLeader;
    private final SubscriptionLoad subscriptions = new SubscriptionLoad();
    private final CoordinatorCalls coordinators;
    private final ScheduledExecutorService groupTimer;

    /**
     * @param requestTimeoutMillis {@code request.timeout.ms}: the longest acks=all or a forwarded call waits
     * @param fetchMaxBytes        {@code fetch.max.bytes}: the most one Subscribe read returns
     * @param messageMaxBytes      {@code message.max.bytes}: the largest batch a leader accepts
     */
    public record Limits(long requestTimeoutMillis, int fetchMaxBytes, int messageMaxBytes) {}

    /**
     * What Publish needs beyond the rest.
     *
     * @param brokerId     this broker's id: partitions it leads are appended here, the others forwarded
     * @param topicConfigs each topic's {@code max.message.bytes}, which bounds the batches Publish encodes
     * @param throttle     holds back the answers of clients over their produce quotas
     */
    public record Publishing(int brokerId, TopicConfigs topicConfigs, ClientThrottle throttle) {}

    /**
     * What group streams need beyond the rest.
     *
     * @param offsetsTopic creates {@code __consumer_offsets} when a group stream is the first to need it
     * @param timer        times the members' heartbeats and retries, and every stream's backoffs
     */
    public record Grouping(OffsetsTopicCreation offsetsTopic, ScheduledExecutorService timer) {}

    /**
     * @param peers       channels to the other brokers, this service's own
     * @param fetchMemory the broker's fetch memory, whose answer budget Subscribe streams share
     */
    public RecordGrpcService(
            ReplicaManager replicaManager,
            Supplier<BrokerMetadata> metadata,
            BrokerChannels peers,
            BrokerAuthorizer authorizer,
            BrokerMetrics metrics,
            Publishing publishing,
            Limits limits,
            FetchMemory fetchMemory,
            Grouping grouping) {
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.peers = peers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.limits = limits;
        this.publish = new PublishHandler(
                publishing.brokerId(),
                replicaManager,
                metadata,
                publishing.topicConfigs(),
                new PublishChecks(authorizer),
                new LeaderForwarding(peers),
                metrics,
                limits.requestTimeoutMillis());
        this.throttle = publishing.throttle();
        this.fetchMemory = fetchMemory;
        this.localLeader = new LocalLeader(replicaManager);
        this.coordinators =
                new CoordinatorCalls(metadata, peers, grouping.offsetsTopic(), limits.requestTimeoutMillis());
        this.groupTimer = grouping.timer();
        metrics.watch(subscriptions);
    }

    /**
     * The generated service with Publish and PublishStream bound to {@link PublishRequestMarshaller}, so that a
     * request whose strings are not UTF-8 is refused naming the field (and a stream stays open) instead of
     * failing in gRPC's parser. The wire format, method names and schema (for reflection) are unchanged.
     */
    @Override
    public ServerServiceDefinition bindService() {
        return ServiceRebinding.replacing(
                RecordServiceGrpc.bindService(this),
                List.of(
                        ServerMethodDefinition.create(
                                received(RecordServiceGrpc.getPublishMethod()),
                                ServerCalls.asyncUnaryCall(this::publishReceived)),
                        ServerMethodDefinition.create(
                                received(RecordServiceGrpc.getPublishStreamMethod()),
                                ServerCalls.asyncBidiStreamingCall(this::publishStreamReceived))));
    }

    private static MethodDescriptor<ReceivedPublish, PublishResponse> received(
            MethodDescriptor<PublishRequest, PublishResponse> method) {
        return method.toBuilder(new PublishRequestMarshaller(), method.getResponseMarshaller())
                .build();
    }

    /** Publish: the response, or, when no record was appended, the first error as the call's status. */
    private void publishReceived(ReceivedPublish request, StreamObserver<PublishResponse> observer) {
        try {
            publishThrottled(request, response -> {
                if (response.hasError()) {
                    observer.onError(RecordErrors.asException(response.getError()));
                } else {
                    observer.onNext(response);
                    observer.onCompleted();
                }
            });
        } catch (RuntimeException e) {
            log.warn("A Publish request failed unexpectedly", e);
            observer.onError(Status.INTERNAL
                    .withDescription("the broker failed to handle the request")
                    .asRuntimeException());
        }
    }

    private StreamObserver<ReceivedPublish> publishStreamReceived(StreamObserver<PublishResponse> observer) {
        return PublishStream.open(observer, this::publishThrottled);
    }

    /**
     * Handles a request on the call's thread and hands its response to {@code respond} once the caller's produce
     * quota allows (its bytes and request thread time count as a Produce's).
     */
    private void publishThrottled(ReceivedPublish request, Consumer<PublishResponse> respond) {
        QuotaClient client = QuotaClient.current();
        HandlerTime time = HandlerTime.start();
        publish.handle(
                request,
                Caller.current(),
                CallerListener.isExternal(),
                response ->
                        throttle.published(client, request.sizeInBytes(), time::nanos, () -> respond.accept(response)));
        time.handled();
    }

    /**
     * Checks the start on the caller's thread, then streams from {@link Subscription}; a group stream joins its
     * group as a {@link StreamMember}.
     */
    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<SubscribeResponse> responses) {
        Caller caller = Caller.current();
        Object connection = CallerConnection.current();
        String clientId = CallerClientId.current();
        return new SubscribeCall(responses, (start, observer) -> {
            SubscriptionPlan plan =
                    SubscriptionPlan.check(start, metadata.get(), caller, authorizer, limits.fetchMaxBytes());
            Subscription subscription = new Subscription(
                    observer,
                    plan,
                    metadata,
                    this::leaderOf,
                    subscriptions,
                    AnswerRoom.in(fetchMemory, connection),
                    metrics,
                    groupTimer);
            Optional<StreamMember> member = plan.group()
                    .map(group -> new StreamMember(
                            group,
                            plan.topic(),
                            clientId.isEmpty() ? DEFAULT_CLIENT_ID : clientId,
                            subscription,
                            coordinators,
                            groupTimer,
                            limits.requestTimeoutMillis()));
            return new SubscribeCall.Started(
                    subscription,
                    member,
                    () -> Optional.ofNullable(metadata.get().topics().get(plan.topic()))
                            .map(TopicRecord::getPartitionCount)
                            .orElse(0));
        });
    }

    /** This broker's replica manager when it leads at the view's epoch, else the leader over gRPC. */
    private PartitionLeader leaderOf(TopicPartition tp, PartitionRecord partition) {
        boolean local = replicaManager
                .partition(tp)
                .map(p -> p.isLeaderAt(partition.getLeaderEpoch()))
                .orElse(false);
        return local ? localLeader : new RemoteLeader(partition.getLeader(), peers, limits.requestTimeoutMillis());
    }
}
