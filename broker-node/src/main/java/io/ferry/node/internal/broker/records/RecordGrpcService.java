package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.TopicPartition;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** {@code ferry.v1.RecordService} on the node's gRPC port. */
public final class RecordGrpcService implements RecordServiceGrpc.AsyncService, BindableService {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerChannels peers;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final FetchMemory fetchMemory;
    private final Limits limits;
    private final LocalLeader localLeader;
    private final SubscriptionLoad subscriptions = new SubscriptionLoad();

    /**
     * @param requestTimeoutMillis {@code request.timeout.ms}: the longest acks=all or a forwarded call waits
     * @param fetchMaxBytes        {@code fetch.max.bytes}: the most one Subscribe read returns
     * @param messageMaxBytes      {@code message.max.bytes}: the largest batch a leader accepts
     */
    public record Limits(long requestTimeoutMillis, int fetchMaxBytes, int messageMaxBytes) {}

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
            Limits limits,
            FetchMemory fetchMemory) {
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.peers = peers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.limits = limits;
        this.fetchMemory = fetchMemory;
        this.localLeader = new LocalLeader(replicaManager);
        metrics.watch(subscriptions);
    }

    /** Checks the start on the caller's thread, then streams from {@link Subscription}. */
    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<SubscribeResponse> responses) {
        Caller caller = Caller.current();
        Object connection = CallerConnection.current();
        return new SubscribeCall(
                responses,
                (start, observer) -> new Subscription(
                        observer,
                        SubscriptionPlan.check(start, metadata.get(), caller, authorizer, limits.fetchMaxBytes()),
                        metadata,
                        this::leaderOf,
                        subscriptions,
                        AnswerRoom.in(fetchMemory, connection),
                        metrics));
    }

    /** This broker's replica manager when it leads at the view's epoch, else the leader over gRPC. */
    private PartitionLeader leaderOf(TopicPartition tp, PartitionRecord partition) {
        boolean local = replicaManager
                .partition(tp)
                .map(p -> p.isLeaderAt(partition.getLeaderEpoch()))
                .orElse(false);
        return local ? localLeader : new RemoteLeader(partition.getLeader(), peers, limits.requestTimeoutMillis());
    }

    @Override
    public ServerServiceDefinition bindService() {
        return RecordServiceGrpc.bindService(this);
    }
}
