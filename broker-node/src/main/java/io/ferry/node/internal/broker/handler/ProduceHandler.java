package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicProduceResult;
import io.ferry.replication.LatencyStage;
import io.ferry.replication.ProduceOutcome;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.RequiredAcks;
import io.ferry.security.AclOperation;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Produce, shared by the unary and the streaming RPC: refuses every partition of a request whose acks or
 * timeout_ms is out of range, resolves every partition against the metadata view (INVALID_TOPIC, also for
 * the internal {@code __consumer_offsets}, UNKNOWN_TOPIC, UNKNOWN_PARTITION, a partition named twice),
 * appends the rest through the {@link ReplicaManager} and builds one response in request order. Thread-safe.
 */
final class ProduceHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerMetrics metrics;
    private final long defaultTimeoutMillis;
    private final BrokerAuthorizer authorizer;

    /**
     * @param defaultTimeoutMillis acks=all wait when the request names none, and the longest it may name
     *                             ({@code request.timeout.ms}): a request held longer would hold its
     *                             buffer as long as a client asks
     */
    ProduceHandler(
            ReplicaManager replicaManager,
            Supplier<BrokerMetadata> metadata,
            BrokerMetrics metrics,
            long defaultTimeoutMillis,
            BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.metrics = metrics;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
    }

    static RequiredAcks requiredAcks(Acks acks) {
        return switch (acks) {
            case ACKS_NONE -> RequiredAcks.NONE;
            case ACKS_LEADER -> RequiredAcks.LEADER;
            case ACKS_ALL, ACKS_UNSPECIFIED -> RequiredAcks.ALL;
            case UNRECOGNIZED -> throw new IllegalArgumentException("acks " + acks + ": refused by RequestFields.acks");
        };
    }

    /**
     * Handles {@code received}; {@code respond} is called exactly once, possibly on another thread. Each
     * partition's record slice goes to the log as it is (writable and direct: the log patches offsets
     * into it and writes it with no further copy). The request's buffer is released once the replica
     * manager has reported every partition's outcome, before {@code respond} runs; if handling fails
     * with an exception instead, it is left to the garbage collector.
     */
    void handle(OffHeapProduceRequest received, boolean externalCaller, Consumer<ProduceResponse> respond) {
        long startNanos = System.nanoTime();
        ProduceRequest request = received.request();
        Error invalid = RequestFields.firstOf(
                RequestFields.acks(request.getAcksValue()),
                RequestFields.nonNegative("timeout_ms", request.getTimeoutMs()));
        Caller caller = Caller.current();
        RequestPartitions partitions = new RequestPartitions(metadata.get());
        Map<TopicPartition, ByteBuffer> entries = new LinkedHashMap<>();
        // Refusals by position in the request: a partition named twice is refused only the second time.
        Map<Integer, PartitionProduceResult> refused = new HashMap<>();
        int index = 0;
        for (TopicProduceData topic : request.getTopicsList()) {
            // WRITE on the topic, also for an idempotent producer's batches (Kafka 3+).
            Error denied = authorizer.topic(caller, AclOperation.WRITE, topic.getTopic());
            for (PartitionProduceData data : topic.getPartitionsList()) {
                PartitionLookup.Result lookup = partitions.resolve(
                        topic.getTopic(),
                        data.getPartition(),
                        RequestFields.firstOf(invalid, denied, InternalTopics.refused(topic.getTopic(), "produce to")));
                if (lookup instanceof Refused r) {
                    refused.put(index, failed(data.getPartition(), r.error(), null));
                } else if (lookup instanceof Found f) {
                    entries.put(f.tp(), received.records(index));
                }
                index++;
            }
        }
        // A request-wide refusal appends nothing, so its acks (perhaps unknown) are not needed.
        RequiredAcks acks = invalid != null ? RequiredAcks.LEADER : requiredAcks(request.getAcks());
        long timeoutMillis = request.getTimeoutMs() > 0
                ? Math.min(request.getTimeoutMs(), defaultTimeoutMillis)
                : defaultTimeoutMillis;
        long appendedNanos = System.nanoTime();
        replicaManager.appendRecords(acks, timeoutMillis, entries, outcomes -> {
            if (acks == RequiredAcks.ALL && !entries.isEmpty()) {
                metrics.acksAllWait().record(System.nanoTime() - appendedNanos, TimeUnit.NANOSECONDS);
            }
            ProduceResponse response = response(received, outcomes, refused, externalCaller);
            // Every outcome is in, so the log has finished with the record slices; the response copied what it needs.
            received.release();
            respond.accept(response);
            markStages(outcomes, startNanos);
            metrics.request("produce").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        });
    }

    private static void markStages(Map<TopicPartition, ProduceOutcome> outcomes, long receivedNanos) {
        if (LatencyStage.enabled()) {
            long answeredNanos = System.nanoTime();
            outcomes.forEach((tp, outcome) -> {
                if (outcome.succeeded()) {
                    LatencyStage.PRODUCE_RECEIVED.mark(tp, outcome.lastOffset(), -1, receivedNanos);
                    LatencyStage.PRODUCE_ANSWERED.mark(tp, outcome.lastOffset(), -1, answeredNanos);
                }
            });
        }
    }

    private ProduceResponse response(
            OffHeapProduceRequest received,
            Map<TopicPartition, ProduceOutcome> outcomes,
            Map<Integer, PartitionProduceResult> refused,
            boolean externalCaller) {
        ProduceRequest request = received.request();
        BrokerMetadata view = metadata.get();
        ProduceResponse.Builder response = ProduceResponse.newBuilder().setCorrelationId(request.getCorrelationId());
        Map<String, TopicProduceResult.Builder> topics = new LinkedHashMap<>();
        int index = 0;
        for (TopicProduceData topic : request.getTopicsList()) {
            TopicProduceResult.Builder result = topics.computeIfAbsent(
                    topic.getTopic(), t -> TopicProduceResult.newBuilder().setTopic(t));
            for (PartitionProduceData data : topic.getPartitionsList()) {
                int position = index++;
                PartitionProduceResult early = refused.get(position);
                if (early != null) {
                    result.addPartitions(early);
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.getTopic(), data.getPartition());
                ProduceOutcome outcome = outcomes.get(tp);
                if (outcome.succeeded()) {
                    metrics.bytesIn(tp.topic(), received.records(position).capacity());
                    result.addPartitions(PartitionProduceResult.newBuilder()
                            .setPartition(tp.partition())
                            .setError(PartitionLookup.NO_ERROR)
                            .setBaseOffset(outcome.baseOffset())
                            .setLogAppendTimeMs(outcome.logAppendTimeMs())
                            .setLogStartOffset(outcome.logStartOffset()));
                } else {
                    LeaderHint hint = PartitionLookup.hintFor(outcome.error().code(), view, tp, externalCaller)
                            .orElse(null);
                    result.addPartitions(failed(tp.partition(), PartitionLookup.error(outcome.error()), hint));
                }
            }
        }
        topics.values().forEach(response::addTopics);
        return response.build();
    }

    private static PartitionProduceResult failed(int partition, Error error, LeaderHint hint) {
        PartitionProduceResult.Builder b = PartitionProduceResult.newBuilder()
                .setPartition(partition)
                .setError(error)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
        if (hint != null) {
            b.setLeader(hint);
        }
        return b.build();
    }
}
