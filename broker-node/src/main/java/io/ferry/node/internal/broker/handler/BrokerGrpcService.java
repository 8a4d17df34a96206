package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.controller.BrokerLifecycle;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.node.internal.broker.controller.ProducerIdBlocks;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.quota.ClientThrottle;
import io.ferry.node.internal.broker.quota.HandlerTime;
import io.ferry.node.internal.broker.quota.QuotaClient;
import io.ferry.node.internal.broker.topic.TopicAdmission;
import io.ferry.node.internal.broker.wire.DirectBufferPool;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.node.internal.broker.wire.ProduceRequestMarshaller;
import io.ferry.node.internal.broker.wire.ServiceRebinding;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsResponse;
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
import io.ferry.proto.v1.DescribeUserScramCredentialsRequest;
import io.ferry.proto.v1.DescribeUserScramCredentialsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.TopicMetadata;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.replication.ReplicaManager;
import io.ferry.security.AclOperation;
import io.ferry.security.ResourcePattern;
import io.ferry.security.ResourceType;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferry.v1.BrokerService} on the node's gRPC port. Produce and Fetch go through
 * {@link ProduceHandler} / {@link ProduceStream} and {@link FetchHandler}, a follower's ReplicaFetch
 * through {@link ReplicaFetchHandler}, ListOffsets and DeleteRecords through {@link ListOffsetsHandler}
 * and {@link DeleteRecordsHandler}; Metadata and DescribeUserScramCredentials
 * ({@link DescribeUserScramCredentialsHandler}) are answered from the metadata view; admin calls are forwarded to the
 * controller quorum ({@link AdminCalls}) and answered with the controller's response; InitProducerId hands out
 * ids from the blocks the controllers gave this broker ({@link InitProducerIdHandler}). A request that fails
 * unexpectedly is answered with INTERNAL, never by stopping anything else.
 */
public final class BrokerGrpcService implements BrokerServiceGrpc.AsyncService, BindableService {

    private static final Logger log = LoggerFactory.getLogger(BrokerGrpcService.class);

    /**
     * Free direct buffers kept for receiving produce requests: 32 requests each carrying one batch of
     * the default {@code message.max.bytes} (a 2 MiB buffer each), or 16 of the largest request the
     * default limits let through (4 MiB). Requests beyond that are received into new buffers, which
     * the garbage collector frees when the pool is full.
     */
    private static final long PRODUCE_BUFFER_POOL_BYTES = 64L << 20;

    private final BrokerLifecycle session;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final ProduceHandler produce;
    private final FetchHandler fetch;
    private final ReplicaFetchHandler replicaFetch;
    private final DeleteRecordsHandler deleteRecords;
    private final ListOffsetsHandler listOffsets;
    private final OffsetForLeaderEpochHandler offsetForLeaderEpoch;
    private final DescribeUserScramCredentialsHandler describeUserScramCredentials;
    private final AdminCalls admin;
    private final InitProducerIdHandler initProducerId;
    private final FetchMemory fetchMemory;
    private final DirectBufferPool produceBuffers = new DirectBufferPool(PRODUCE_BUFFER_POOL_BYTES);
    private final ClientThrottle throttle;

    /**
     * Bounds on what one fetch may return over all its partitions, whatever it asks.
     *
     * @param fetchMaxBytes        a consumer's Fetch ({@code fetch.max.bytes})
     * @param replicaFetchMaxBytes a follower's ReplicaFetch ({@code replica.fetch.response.max.bytes})
     */
    public record FetchLimits(int fetchMaxBytes, int replicaFetchMaxBytes) {}

    /**
     * @param session     the broker's session with the controllers: its metadata view, the active controller
     *                    it last heard of, and a poll to catch up after an admin call
     * @param controllers where admin calls are forwarded and blocks of producer ids asked for
     * @param authorizer  what each call's principal may do
     * @param throttle    holds back the Produce and Fetch responses of clients over their quotas
     */
    public BrokerGrpcService(
            ReplicaManager replicaManager,
            BrokerLifecycle session,
            ControllerGateway controllers,
            BrokerMetrics metrics,
            long requestTimeoutMillis,
            FetchLimits fetchLimits,
            FetchMemory fetchMemory,
            TopicAdmission topicAdmission,
            BrokerAuthorizer authorizer,
            ClientThrottle throttle) {
        this.session = session;
        this.throttle = throttle;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.fetchMemory = fetchMemory;
        this.admin = new AdminCalls(
                controllers, topicAdmission, session::pollSoon, metrics, requestTimeoutMillis, authorizer);
        Supplier<BrokerMetadata> metadata = session::metadata;
        this.produce = new ProduceHandler(replicaManager, metadata, metrics, requestTimeoutMillis, authorizer);
        this.fetch = new FetchHandler(
                replicaManager, metadata, metrics, requestTimeoutMillis, fetchLimits.fetchMaxBytes(), authorizer);
        this.replicaFetch = new ReplicaFetchHandler(
                replicaManager,
                metadata,
                metrics,
                requestTimeoutMillis,
                fetchLimits.replicaFetchMaxBytes(),
                authorizer);
        this.deleteRecords = new DeleteRecordsHandler(replicaManager, metadata, authorizer);
        this.listOffsets = new ListOffsetsHandler(replicaManager, metadata, authorizer);
        this.offsetForLeaderEpoch = new OffsetForLeaderEpochHandler(replicaManager, metadata, authorizer);
        this.describeUserScramCredentials = new DescribeUserScramCredentialsHandler(metadata, authorizer);
        this.initProducerId = new InitProducerIdHandler(ProducerIdBlocks.fromControllers(
                session.brokerId(), session::incarnationId, controllers, requestTimeoutMillis));
    }

    /**
     * The service with Produce and ProduceStream bound to {@link ProduceRequestMarshaller}, so their
     * record bytes arrive in direct buffers the log writes without another copy; every other method is
     * the generated one. The wire format, method names and schema (for reflection) are unchanged.
     */
    @Override
    public ServerServiceDefinition bindService() {
        return ServiceRebinding.replacing(
                BrokerServiceGrpc.bindService(this),
                List.of(
                        ServerMethodDefinition.create(
                                offHeap(BrokerServiceGrpc.getProduceMethod()),
                                ServerCalls.asyncUnaryCall(this::produce)),
                        ServerMethodDefinition.create(
                                offHeap(BrokerServiceGrpc.getProduceStreamMethod()),
                                ServerCalls.asyncBidiStreamingCall(this::produceStreamOffHeap))));
    }

    private MethodDescriptor<OffHeapProduceRequest, ProduceResponse> offHeap(
            MethodDescriptor<ProduceRequest, ProduceResponse> method) {
        return method.toBuilder(
                        new ProduceRequestMarshaller(method.getRequestMarshaller(), produceBuffers),
                        method.getResponseMarshaller())
                .build();
    }

    /**
     * Produce with its record bytes already in direct buffers: the gRPC method, and the Kafka listener's
     * Produce, which receives Kafka's request into a direct buffer of its own.
     */
    public void produce(OffHeapProduceRequest request, StreamObserver<ProduceResponse> observer) {
        QuotaClient client = QuotaClient.current();
        long bytes = request.sizeInBytes();
        HandlerTime time = HandlerTime.start();
        guarded(
                observer,
                () -> produce.handle(
                        request,
                        CallerListener.isExternal(),
                        response -> throttle.produced(client, bytes, time::nanos, response, throttled -> {
                            observer.onNext(throttled);
                            observer.onCompleted();
                        })));
        time.handled();
    }

    private StreamObserver<OffHeapProduceRequest> produceStreamOffHeap(StreamObserver<ProduceResponse> observer) {
        QuotaClient client = QuotaClient.current();
        boolean external = CallerListener.isExternal();
        return ProduceStream.open(observer, (request, respond) -> {
            long bytes = request.sizeInBytes();
            HandlerTime time = HandlerTime.start();
            produce.handle(
                    request, external, response -> throttle.produced(client, bytes, time::nanos, response, respond));
            time.handled();
        });
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> observer) {
        FetchMemory.Call memory = heldUntilTheCallEnds(observer);
        QuotaClient client = QuotaClient.current();
        HandlerTime time = HandlerTime.start();
        guarded(
                observer,
                () -> fetch.handle(
                        request,
                        CallerListener.isExternal(),
                        memory,
                        response -> throttle.fetched(client, time::nanos, response, throttled -> {
                            observer.onNext(throttled);
                            observer.onCompleted();
                        })));
        time.handled();
    }

    @Override
    public void replicaFetch(ReplicaFetchRequest request, StreamObserver<ReplicaFetchResponse> observer) {
        FetchMemory.Call memory = heldUntilTheCallEnds(observer);
        guarded(
                observer,
                () -> replicaFetch.handle(request, memory, response -> {
                    observer.onNext(response);
                    observer.onCompleted();
                }));
    }

    /**
     * The call's share of the fetch memory, given back when the call ends: closed once its answer and
     * status were written to the socket (so gRPC's send buffers are free again), or cancelled.
     */
    private FetchMemory.Call heldUntilTheCallEnds(StreamObserver<?> observer) {
        FetchMemory.Call memory = fetchMemory.open(CallerConnection.current());
        ServerCallStreamObserver<?> call = (ServerCallStreamObserver<?>) observer;
        call.setOnCancelHandler(memory::end);
        call.setOnCloseHandler(memory::end);
        return memory;
    }

    @Override
    public void deleteRecords(DeleteRecordsRequest request, StreamObserver<DeleteRecordsResponse> observer) {
        long start = System.nanoTime();
        guarded(observer, () -> {
            observer.onNext(deleteRecords.handle(request, CallerListener.isExternal()));
            observer.onCompleted();
        });
        metrics.request("delete_records").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> observer) {
        long start = System.nanoTime();
        guarded(observer, () -> {
            observer.onNext(listOffsets.handle(request, CallerListener.isExternal()));
            observer.onCompleted();
        });
        metrics.request("list_offsets").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /**
     * Where leader epochs end on the partitions this broker leads, for the Kafka listener's OffsetForLeaderEpoch
     * (no gRPC method: Ferry's followers learn it from their fetches); called on the request's thread, inside its
     * caller's context.
     */
    public List<OffsetForLeaderEpochHandler.Answer> offsetForLeaderEpoch(
            List<OffsetForLeaderEpochHandler.Query> queries) {
        long start = System.nanoTime();
        List<OffsetForLeaderEpochHandler.Answer> answers = offsetForLeaderEpoch.handle(queries);
        metrics.request("offset_for_leader_epoch").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return answers;
    }

    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> observer) {
        long start = System.nanoTime();
        guarded(observer, () -> {
            BrokerMetadata view = session.published();
            MetadataResponse.Builder response = MetadataResponse.newBuilder()
                    .addAllBrokers(view.brokers().values().stream()
                            .sorted((a, b) -> Integer.compare(a.getBrokerId(), b.getBrokerId()))
                            .map(CallerEndpoints::forCaller)
                            .toList())
                    .setControllerId(session.activeControllerId())
                    .setMetadataVersion(view.version())
                    .setClusterId(view.clusterId());
            Caller caller = Caller.current();
            if (request.getTopicsCount() > 0) {
                for (String name : request.getTopicsList()) {
                    // Refused before its existence is looked up, so that it tells nothing about the topic.
                    Error denied = authorizer.topic(caller, AclOperation.DESCRIBE, name);
                    response.addTopics(
                            denied != null
                                    ? TopicMetadata.newBuilder()
                                            .setName(name)
                                            .setError(denied)
                                            .build()
                                    : topicMetadata(view, name));
                }
            } else if (!request.getNoTopics()) {
                view.topics().keySet().stream()
                        .sorted()
                        .filter(name -> authorizer.allows(caller, AclOperation.DESCRIBE, ResourceType.TOPIC, name))
                        .forEach(name -> response.addTopics(topicMetadata(view, name)));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        });
        metrics.request("metadata").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private static TopicMetadata topicMetadata(BrokerMetadata view, String name) {
        TopicMetadata.Builder t = TopicMetadata.newBuilder().setName(name);
        try {
            new TopicPartition(name, 0);
        } catch (InvalidTopicException e) {
            return t.setError(PartitionLookup.error(ErrorCode.INVALID_TOPIC, e.getMessage()))
                    .build();
        }
        TopicRecord topic = view.topics().get(name);
        if (topic == null) {
            return t.setError(PartitionLookup.error(ErrorCode.UNKNOWN_TOPIC, "topic '" + name + "' does not exist"))
                    .build();
        }
        return t.setError(PartitionLookup.NO_ERROR)
                .setTopicId(topic.getTopicId())
                .addAllPartitions(view.partitionsOf(name))
                .build();
    }

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> observer) {
        guarded(observer, () -> admin.createTopic(request, observer));
    }

    @Override
    public void alterTopicConfigs(
            AlterTopicConfigsRequest request, StreamObserver<AlterTopicConfigsResponse> observer) {
        guarded(observer, () -> admin.alterTopicConfigs(request, observer));
    }

    @Override
    public void createPartitions(CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> observer) {
        guarded(observer, () -> admin.createPartitions(request, observer));
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> observer) {
        guarded(observer, () -> admin.deleteTopic(request, observer));
    }

    @Override
    public void createAcls(CreateAclsRequest request, StreamObserver<CreateAclsResponse> observer) {
        guarded(observer, () -> admin.createAcls(request, observer));
    }

    @Override
    public void deleteAcls(DeleteAclsRequest request, StreamObserver<DeleteAclsResponse> observer) {
        guarded(observer, () -> admin.deleteAcls(request, observer));
    }

    @Override
    public void describeAcls(DescribeAclsRequest request, StreamObserver<DescribeAclsResponse> observer) {
        guarded(observer, () -> admin.describeAcls(request, observer));
    }

    @Override
    public void alterUserScramCredentials(
            AlterUserScramCredentialsRequest request, StreamObserver<AlterUserScramCredentialsResponse> observer) {
        guarded(observer, () -> admin.alterUserScramCredentials(request, observer));
    }

    @Override
    public void describeUserScramCredentials(
            DescribeUserScramCredentialsRequest request,
            StreamObserver<DescribeUserScramCredentialsResponse> observer) {
        long start = System.nanoTime();
        guarded(observer, () -> {
            observer.onNext(describeUserScramCredentials.handle(request));
            observer.onCompleted();
        });
        metrics.request("describe_user_scram_credentials").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    @Override
    public void alterClientQuotas(
            AlterClientQuotasRequest request, StreamObserver<AlterClientQuotasResponse> observer) {
        guarded(observer, () -> admin.alterClientQuotas(request, observer));
    }

    @Override
    public void describeClientQuotas(
            DescribeClientQuotasRequest request, StreamObserver<DescribeClientQuotasResponse> observer) {
        guarded(observer, () -> admin.describeClientQuotas(request, observer));
    }

    @Override
    public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> observer) {
        guarded(observer, () -> admin.describeTopics(request, observer));
    }

    @Override
    public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
        guarded(observer, () -> admin.describeCluster(request, observer));
    }

    @Override
    public void initProducerId(InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> observer) {
        long start = System.nanoTime();
        Caller caller = Caller.current();
        if (!mayWriteIdempotently(caller)) {
            observer.onNext(InitProducerIdResponse.newBuilder()
                    .setError(authorizer.refuse(
                            caller,
                            AclOperation.IDEMPOTENT_WRITE,
                            ResourceType.CLUSTER,
                            ResourcePattern.CLUSTER_NAME,
                            ErrorCode.CLUSTER_AUTHORIZATION_FAILED))
                    .setProducerId(-1)
                    .setProducerEpoch(-1)
                    .build());
            observer.onCompleted();
            return;
        }
        guarded(
                observer,
                () -> initProducerId.handle(request, response -> {
                    observer.onNext(response);
                    observer.onCompleted();
                    metrics.request("init_producer_id").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }));
    }

    /**
     * Kafka 3+'s InitProducerId check for an idempotent producer: IDEMPOTENT_WRITE on the cluster, or WRITE on
     * some topic, one that exists or not (Kafka's authorizeByResourceType).
     */
    private boolean mayWriteIdempotently(Caller caller) {
        return authorizer.allows(
                        caller, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, ResourcePattern.CLUSTER_NAME)
                || authorizer.allowsSomeOf(caller, AclOperation.WRITE, ResourceType.TOPIC);
    }

    private static void guarded(StreamObserver<?> observer, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            log.warn("A broker request failed unexpectedly", e);
            observer.onError(io.grpc.Status.INTERNAL
                    .withDescription("the broker failed to handle the request: " + e.getMessage())
                    .asRuntimeException());
        }
    }
}
