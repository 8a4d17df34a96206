package io.ferry.node.internal.broker.handler;

import com.google.protobuf.UnsafeByteOperations;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.replication.FetchParams;
import io.ferry.replication.FetchPartitionRequest;
import io.ferry.replication.FetchedPartition;
import io.ferry.replication.ReplicaManager;
import io.ferry.security.AclOperation;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Consumer Fetch: resolves partitions against the metadata view, long-polls through the
 * {@link ReplicaManager} (never longer than {@code maxWaitCapMillis}, never for more than
 * {@code maxBytesCap} over all partitions), and returns the log slices that fit in the room
 * {@link FetchMemory} gives the answer, without copying them ({@code UnsafeByteOperations.unsafeWrap}:
 * the slices are read-only and never change). Thread-safe.
 */
final class FetchHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;
    private final BrokerMetrics metrics;
    private final long maxWaitCapMillis;
    private final int maxBytesCap;

    /**
     * @param maxWaitCapMillis upper bound on {@code max_wait_ms} ({@code request.timeout.ms}), so a
     *                         hostile value cannot park a request for days
     * @param maxBytesCap      upper bound on {@code max_bytes} ({@code fetch.max.bytes}), so a request cannot
     *                         size its answer beyond what the broker chose to hold
     */
    FetchHandler(
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
     * @param memory the call's share of the broker's fetch memory: room to wait in a long-poll, then
     *               room for the answer's records
     */
    void handle(
            FetchRequest request, boolean externalCaller, FetchMemory.Call memory, Consumer<FetchResponse> respond) {
        long startNanos = System.nanoTime();
        Error invalid = RequestFields.firstOf(
                RequestFields.nonNegative("max_wait_ms", request.getMaxWaitMs()),
                RequestFields.nonNegative("min_bytes", request.getMinBytes()),
                RequestFields.nonNegative("max_bytes", request.getMaxBytes()));
        Caller caller = Caller.current();
        RequestPartitions partitions = new RequestPartitions(metadata.get());
        int maxBytes = request.getMaxBytes() > 0 ? Math.min(request.getMaxBytes(), maxBytesCap) : maxBytesCap;
        List<FetchPartitionRequest> reads = new ArrayList<>();
        Map<Integer, FetchPartitionResult> refused = new HashMap<>();
        int index = 0;
        for (FetchTopic topic : request.getTopicsList()) {
            Error denied = authorizer.topic(caller, AclOperation.READ, topic.getTopic());
            for (FetchPartition p : topic.getPartitionsList()) {
                Error refusal = invalid != null
                        ? invalid
                        : RequestFields.firstOf(
                                denied,
                                RequestFields.nonNegative("partition_max_bytes", p.getPartitionMaxBytes()),
                                RequestFields.epoch("current_leader_epoch", p.getCurrentLeaderEpoch()));
                PartitionLookup.Result lookup = partitions.resolve(topic.getTopic(), p.getPartition(), refusal);
                if (lookup instanceof Refused r) {
                    refused.put(
                            index,
                            FetchPartitionResult.newBuilder()
                                    .setPartition(p.getPartition())
                                    .setError(r.error())
                                    .setHighWatermark(-1)
                                    .setLogStartOffset(-1)
                                    .build());
                } else if (lookup instanceof Found f) {
                    int partitionMax = p.getPartitionMaxBytes() > 0 ? p.getPartitionMaxBytes() : maxBytes;
                    reads.add(new FetchPartitionRequest(
                            f.tp(), p.getFetchOffset(), partitionMax, p.getCurrentLeaderEpoch()));
                }
                index++;
            }
        }
        long maxWait = reads.isEmpty() ? 0 : Math.min(request.getMaxWaitMs(), maxWaitCapMillis);
        memory.longPoll(
                request.getSerializedSize(),
                maxWait,
                wait -> replicaManager.fetch(
                        new FetchParams(wait, request.getMinBytes(), maxBytes),
                        reads,
                        result -> memory.reserve(result, wait, withRecords -> {
                            respond.accept(response(request, result, withRecords, refused, externalCaller));
                            metrics.request("fetch").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                        })));
    }

    /** @param withRecords the partitions whose records fit in the room the answer got */
    private FetchResponse response(
            FetchRequest request,
            Map<TopicPartition, FetchedPartition> result,
            Predicate<TopicPartition> withRecords,
            Map<Integer, FetchPartitionResult> refused,
            boolean externalCaller) {
        BrokerMetadata view = metadata.get();
        Map<String, FetchTopicResult.Builder> topics = new LinkedHashMap<>();
        int index = 0;
        for (FetchTopic topic : request.getTopicsList()) {
            FetchTopicResult.Builder t = topics.computeIfAbsent(
                    topic.getTopic(), name -> FetchTopicResult.newBuilder().setTopic(name));
            for (FetchPartition p : topic.getPartitionsList()) {
                FetchPartitionResult early = refused.get(index++);
                if (early != null) {
                    t.addPartitions(early);
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                FetchedPartition fetched = result.get(tp);
                FetchPartitionResult.Builder r = FetchPartitionResult.newBuilder()
                        .setPartition(p.getPartition())
                        .setHighWatermark(fetched.highWatermark())
                        .setLogStartOffset(fetched.logStartOffset());
                if (fetched.error() != null) {
                    r.setError(PartitionLookup.error(fetched.error()));
                    PartitionLookup.hintFor(fetched.error().code(), view, tp, externalCaller)
                            .ifPresent(r::setLeader);
                } else {
                    r.setError(PartitionLookup.NO_ERROR);
                    int size = fetched.records().remaining();
                    if (size > 0 && withRecords.test(tp)) {
                        r.setRecords(UnsafeByteOperations.unsafeWrap(fetched.records()));
                        metrics.bytesOut(tp.topic(), size);
                    }
                }
                t.addPartitions(r);
            }
        }
        FetchResponse.Builder response = FetchResponse.newBuilder();
        topics.values().forEach(response::addTopics);
        return response.build();
    }
}
