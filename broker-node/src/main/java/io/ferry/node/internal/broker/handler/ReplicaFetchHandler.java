package io.ferry.node.internal.broker.handler;

import com.google.protobuf.UnsafeByteOperations;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.wire.FetchSessionEpoch;
import io.ferry.proto.v1.DivergingEpoch;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ForgottenTopic;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.ferry.proto.v1.ReplicaFetchTopicResult;
import io.ferry.replication.FetchParams;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.ReplicaManager;
import io.ferry.security.AclOperation;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The leader side of ReplicaFetch: resolves the partitions against the metadata view, hands the
 * follower's positions to the {@link ReplicaManager} (which records them and long-polls for new
 * batches), and returns the log slices that fit in the room {@link FetchMemory} gives the answer,
 * without copying them. It holds each follower's fetch session ({@link ReplicaFetchSession}): an incremental
 * request names only the positions that moved, the session supplies the rest, and the answer leaves out the
 * partitions with nothing new. Thread-safe.
 */
final class ReplicaFetchHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final long maxWaitCapMillis;
    private final int maxBytesCap;
    private final ReplicaFetchSessions sessions = new ReplicaFetchSessions();

    /**
     * @param maxWaitCapMillis upper bound on {@code max_wait_ms} ({@code request.timeout.ms})
     * @param maxBytesCap      upper bound on {@code max_bytes} ({@code replica.fetch.response.max.bytes})
     */
    ReplicaFetchHandler(
            ReplicaManager replicaManager,
            Supplier<BrokerMetadata> metadata,
            BrokerMetrics metrics,
            long maxWaitCapMillis,
            int maxBytesCap,
            BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.metrics = metrics;
        this.maxWaitCapMillis = maxWaitCapMillis;
        this.maxBytesCap = maxBytesCap;
    }

    /**
     * Handles {@code request}; {@code respond} is called once, possibly on another thread, unless the call
     * ends first.
     *
     * @param memory the call's share of the broker's fetch memory, as for a consumer's Fetch
     */
    void handle(ReplicaFetchRequest request, FetchMemory.Call memory, Consumer<ReplicaFetchResponse> respond) {
        long startNanos = System.nanoTime();
        Error denied = authorizer.cluster(Caller.current(), AclOperation.CLUSTER_ACTION);
        if (denied != null) {
            // Before anything of the request reaches the replica manager: a client posing as a follower must not
            // move the follower's fetch state, the ISR or the high watermark.
            respond.accept(refusedWhole(request, denied));
            return;
        }
        Error invalid = RequestFields.firstOf(
                RequestFields.nonNegative("replica_id", request.getReplicaId()),
                RequestFields.nonNegative("max_wait_ms", request.getMaxWaitMs()),
                RequestFields.nonNegative("min_bytes", request.getMinBytes()),
                RequestFields.nonNegative("max_bytes", request.getMaxBytes()),
                RequestFields.nonNegative("session_id", request.getSessionId()),
                RequestFields.nonNegative("session_epoch", request.getSessionEpoch()));
        if (invalid != null) {
            respond.accept(refusedWhole(request, invalid));
            return;
        }
        BrokerMetadata view = metadata.get();
        ReplicaFetchSession session;
        if (request.getSessionEpoch() == FetchSessionEpoch.FULL) {
            session = view.brokers().containsKey(request.getReplicaId())
                    ? sessions.open(request.getReplicaId())
                    : new ReplicaFetchSession(ReplicaFetchSession.NONE);
        } else {
            session = sessions.find(request.getReplicaId(), request.getSessionId());
            Error refused = sessionRefusal(request, session);
            if (refused != null) {
                respond.accept(
                        ReplicaFetchResponse.newBuilder().setError(refused).build());
                return;
            }
        }
        for (ForgottenTopic topic : request.getForgottenTopicsList()) {
            for (int partition : topic.getPartitionsList()) {
                forget(session, topic.getTopic(), partition);
            }
        }
        RequestPartitions partitions = new RequestPartitions(view);
        int maxBytes = request.getMaxBytes() > 0 ? Math.min(request.getMaxBytes(), maxBytesCap) : maxBytesCap;
        Map<String, ReplicaFetchTopicResult.Builder> refusals = new LinkedHashMap<>();
        for (ReplicaFetchTopic topic : request.getTopicsList()) {
            for (ReplicaFetchPartition p : topic.getPartitionsList()) {
                Error refusal = RequestFields.firstOf(
                        RequestFields.nonNegative("partition_max_bytes", p.getPartitionMaxBytes()),
                        RequestFields.epoch("current_leader_epoch", p.getCurrentLeaderEpoch()),
                        RequestFields.epoch("last_fetched_epoch", p.getLastFetchedEpoch()));
                PartitionLookup.Result lookup = partitions.resolve(topic.getTopic(), p.getPartition(), refusal);
                if (lookup instanceof Refused r) {
                    refusals.computeIfAbsent(
                                    topic.getTopic(),
                                    name -> ReplicaFetchTopicResult.newBuilder().setTopic(name))
                            .addPartitions(refused(p.getPartition(), r.error()));
                } else if (lookup instanceof Found f) {
                    int partitionMax = p.getPartitionMaxBytes() > 0 ? p.getPartitionMaxBytes() : maxBytes;
                    session.named(new io.ferry.replication.ReplicaFetchPartition(
                            f.tp(),
                            p.getFetchOffset(),
                            p.getCurrentLeaderEpoch(),
                            p.getLastFetchedEpoch(),
                            partitionMax));
                }
            }
        }
        List<io.ferry.replication.ReplicaFetchPartition> reads = session.positions();
        long maxWait = reads.isEmpty() ? 0 : Math.min(request.getMaxWaitMs(), maxWaitCapMillis);
        memory.longPoll(
                request.getSerializedSize(),
                maxWait,
                wait -> replicaManager.fetchForFollower(
                        request.getReplicaId(),
                        new FetchParams(wait, request.getMinBytes(), maxBytes),
                        reads,
                        result -> memory.reserve(result, wait, withRecords -> {
                            respond.accept(response(session, reads, result, withRecords, refusals));
                            metrics.request("replica_fetch")
                                    .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                        })));
    }

    /** Why an incremental request cannot continue {@code session} (null if none was found), or null if it can. */
    private static Error sessionRefusal(ReplicaFetchRequest request, ReplicaFetchSession session) {
        if (session == null) {
            return PartitionLookup.error(
                    ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
                    "this leader holds no fetch session " + request.getSessionId() + " of broker "
                            + request.getReplicaId() + "; send a full request (session_epoch 0)");
        }
        int expected = session.expectedEpoch();
        if (!session.accept(request.getSessionEpoch())) {
            return PartitionLookup.error(
                    ErrorCode.INVALID_FETCH_SESSION_EPOCH,
                    "fetch session " + request.getSessionId() + " expects epoch " + expected + ", not "
                            + request.getSessionEpoch() + "; send a full request (session_epoch 0)");
        }
        return null;
    }

    private static void forget(ReplicaFetchSession session, String topic, int partition) {
        try {
            session.forget(new TopicPartition(topic, partition));
        } catch (InvalidTopicException e) {
            // A name no partition can have is in no session.
        }
    }

    private static ReplicaFetchPartitionResult refused(int partition, Error error) {
        return ReplicaFetchPartitionResult.newBuilder()
                .setPartition(partition)
                .setError(error)
                .setHighWatermark(-1)
                .setLogStartOffset(-1)
                .setLogEndOffset(-1)
                .build();
    }

    private static ReplicaFetchResponse refusedWhole(ReplicaFetchRequest request, Error error) {
        ReplicaFetchResponse.Builder response = ReplicaFetchResponse.newBuilder();
        for (ReplicaFetchTopic topic : request.getTopicsList()) {
            ReplicaFetchTopicResult.Builder t =
                    ReplicaFetchTopicResult.newBuilder().setTopic(topic.getTopic());
            for (ReplicaFetchPartition p : topic.getPartitionsList()) {
                t.addPartitions(refused(p.getPartition(), error));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    /**
     * Every partition of the round the session says the follower needs to hear of, then the refusals.
     *
     * @param withRecords the partitions whose records fit in the room the answer got
     */
    private static ReplicaFetchResponse response(
            ReplicaFetchSession session,
            List<io.ferry.replication.ReplicaFetchPartition> reads,
            Map<TopicPartition, ReplicaFetchResult> result,
            Predicate<TopicPartition> withRecords,
            Map<String, ReplicaFetchTopicResult.Builder> refusals) {
        Map<String, ReplicaFetchTopicResult.Builder> topics = new LinkedHashMap<>();
        for (io.ferry.replication.ReplicaFetchPartition read : reads) {
            TopicPartition tp = read.tp();
            ReplicaFetchResult fetched = result.get(tp);
            boolean records = fetched.records().hasRemaining() && withRecords.test(tp);
            if (!session.answer(tp, fetched, records)) {
                continue;
            }
            ReplicaFetchPartitionResult.Builder r = ReplicaFetchPartitionResult.newBuilder()
                    .setPartition(tp.partition())
                    .setHighWatermark(fetched.highWatermark())
                    .setLogStartOffset(fetched.logStartOffset())
                    .setLogEndOffset(fetched.logEndOffset());
            r.setError(fetched.error() != null ? PartitionLookup.error(fetched.error()) : PartitionLookup.NO_ERROR);
            if (fetched.divergingEpoch() != null) {
                r.setDivergingEpoch(DivergingEpoch.newBuilder()
                        .setEpoch(fetched.divergingEpoch().epoch())
                        .setEndOffset(fetched.divergingEpoch().endOffset()));
            }
            if (records) {
                r.setRecords(UnsafeByteOperations.unsafeWrap(fetched.records()));
            }
            topics.computeIfAbsent(
                            tp.topic(),
                            name -> ReplicaFetchTopicResult.newBuilder().setTopic(name))
                    .addPartitions(r);
        }
        refusals.forEach((name, refused) ->
                topics.merge(name, refused, (answered, more) -> answered.addAllPartitions(more.getPartitionsList())));
        ReplicaFetchResponse.Builder response =
                ReplicaFetchResponse.newBuilder().setSessionId(session.id());
        topics.values().forEach(response::addTopics);
        return response.build();
    }
}
