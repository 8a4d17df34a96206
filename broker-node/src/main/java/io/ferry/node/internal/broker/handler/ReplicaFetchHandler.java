package io.ferry.node.internal.broker.handler;

import com.google.protobuf.UnsafeByteOperations;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.DivergingEpoch;
import io.ferry.proto.v1.Error;
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
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
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
 * without copying them. Thread-safe.
 */
final class ReplicaFetchHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final long maxWaitCapMillis;
    private final int maxBytesCap;

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
                RequestFields.nonNegative("max_bytes", request.getMaxBytes()));
        RequestPartitions partitions = new RequestPartitions(metadata.get());
        int maxBytes = request.getMaxBytes() > 0 ? Math.min(request.getMaxBytes(), maxBytesCap) : maxBytesCap;
        List<io.ferry.replication.ReplicaFetchPartition> reads = new ArrayList<>();
        Map<Integer, ReplicaFetchPartitionResult> refused = new HashMap<>();
        int index = 0;
        for (ReplicaFetchTopic topic : request.getTopicsList()) {
            for (ReplicaFetchPartition p : topic.getPartitionsList()) {
                Error refusal = invalid != null
                        ? invalid
                        : RequestFields.firstOf(
                                RequestFields.nonNegative("partition_max_bytes", p.getPartitionMaxBytes()),
                                RequestFields.epoch("current_leader_epoch", p.getCurrentLeaderEpoch()),
                                RequestFields.epoch("last_fetched_epoch", p.getLastFetchedEpoch()));
                PartitionLookup.Result lookup = partitions.resolve(topic.getTopic(), p.getPartition(), refusal);
                if (lookup instanceof Refused r) {
                    refused.put(
                            index,
                            ReplicaFetchPartitionResult.newBuilder()
                                    .setPartition(p.getPartition())
                                    .setError(r.error())
                                    .setHighWatermark(-1)
                                    .setLogStartOffset(-1)
                                    .setLogEndOffset(-1)
                                    .build());
                } else if (lookup instanceof Found f) {
                    int partitionMax = p.getPartitionMaxBytes() > 0 ? p.getPartitionMaxBytes() : maxBytes;
                    reads.add(new io.ferry.replication.ReplicaFetchPartition(
                            f.tp(),
                            p.getFetchOffset(),
                            p.getCurrentLeaderEpoch(),
                            p.getLastFetchedEpoch(),
                            partitionMax));
                }
                index++;
            }
        }
        long maxWait = reads.isEmpty() ? 0 : Math.min(request.getMaxWaitMs(), maxWaitCapMillis);
        memory.longPoll(
                request.getSerializedSize(),
                maxWait,
                wait -> replicaManager.fetchForFollower(
                        request.getReplicaId(),
                        new FetchParams(wait, request.getMinBytes(), maxBytes),
                        reads,
                        result -> memory.reserve(result, wait, withRecords -> {
                            respond.accept(response(request, result, withRecords, refused));
                            metrics.request("replica_fetch")
                                    .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                        })));
    }

    private static ReplicaFetchResponse refusedWhole(ReplicaFetchRequest request, Error error) {
        ReplicaFetchResponse.Builder response = ReplicaFetchResponse.newBuilder();
        for (ReplicaFetchTopic topic : request.getTopicsList()) {
            ReplicaFetchTopicResult.Builder t =
                    ReplicaFetchTopicResult.newBuilder().setTopic(topic.getTopic());
            for (ReplicaFetchPartition p : topic.getPartitionsList()) {
                t.addPartitions(ReplicaFetchPartitionResult.newBuilder()
                        .setPartition(p.getPartition())
                        .setError(error)
                        .setHighWatermark(-1)
                        .setLogStartOffset(-1)
                        .setLogEndOffset(-1));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    /** @param withRecords the partitions whose records fit in the room the answer got */
    private static ReplicaFetchResponse response(
            ReplicaFetchRequest request,
            Map<TopicPartition, ReplicaFetchResult> result,
            Predicate<TopicPartition> withRecords,
            Map<Integer, ReplicaFetchPartitionResult> refused) {
        ReplicaFetchResponse.Builder response = ReplicaFetchResponse.newBuilder();
        int index = 0;
        for (ReplicaFetchTopic topic : request.getTopicsList()) {
            ReplicaFetchTopicResult.Builder t =
                    ReplicaFetchTopicResult.newBuilder().setTopic(topic.getTopic());
            for (ReplicaFetchPartition p : topic.getPartitionsList()) {
                ReplicaFetchPartitionResult early = refused.get(index++);
                if (early != null) {
                    t.addPartitions(early);
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                ReplicaFetchResult fetched = result.get(tp);
                ReplicaFetchPartitionResult.Builder r = ReplicaFetchPartitionResult.newBuilder()
                        .setPartition(p.getPartition())
                        .setHighWatermark(fetched.highWatermark())
                        .setLogStartOffset(fetched.logStartOffset())
                        .setLogEndOffset(fetched.logEndOffset());
                r.setError(fetched.error() != null ? PartitionLookup.error(fetched.error()) : PartitionLookup.NO_ERROR);
                if (fetched.divergingEpoch() != null) {
                    r.setDivergingEpoch(DivergingEpoch.newBuilder()
                            .setEpoch(fetched.divergingEpoch().epoch())
                            .setEndOffset(fetched.divergingEpoch().endOffset()));
                }
                if (fetched.records().hasRemaining() && withRecords.test(tp)) {
                    r.setRecords(UnsafeByteOperations.unsafeWrap(fetched.records()));
                }
                t.addPartitions(r);
            }
            response.addTopics(t);
        }
        return response.build();
    }
}
