package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.topic.TopicConfigs;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.RecordError;
import io.ferry.record.CompressionType;
import io.ferry.replication.ProduceOutcome;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.RequiredAcks;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Publish, shared by the unary and the streaming RPC: checks the request ({@link PublishChecks}), chooses each
 * record's partition ({@link RecordPartitioner}), encodes each partition's batches ({@link PartitionBatches}),
 * appends those of partitions this broker leads through the {@link ReplicaManager} (as Produce does) and
 * forwards the others to their leaders ({@link LeaderForwarding}), then answers per record
 * ({@link PublishAnswers}). Thread-safe.
 */
final class PublishHandler {

    private final int brokerId;
    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final TopicConfigs topicConfigs;
    private final PublishChecks checks;
    private final RecordPartitioner partitioner = new RecordPartitioner();
    private final LeaderForwarding leaders;
    private final BrokerMetrics metrics;
    private final long requestTimeoutMillis;

    /**
     * @param brokerId             this broker's id: partitions it leads are appended here
     * @param requestTimeoutMillis {@code request.timeout.ms}: the acks=all wait when the request names none, and
     *                             the longest it may name
     */
    PublishHandler(
            int brokerId,
            ReplicaManager replicaManager,
            Supplier<BrokerMetadata> metadata,
            TopicConfigs topicConfigs,
            PublishChecks checks,
            LeaderForwarding leaders,
            BrokerMetrics metrics,
            long requestTimeoutMillis) {
        this.brokerId = brokerId;
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.topicConfigs = topicConfigs;
        this.checks = checks;
        this.leaders = leaders;
        this.metrics = metrics;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    /**
     * Handles {@code received} for {@code caller}; {@code respond} is called exactly once, possibly on another
     * thread, with the response, whose {@code error} is set when no record was appended.
     *
     * @param externalCaller whether the call came on the external listener (leader hints name its endpoints)
     */
    void handle(ReceivedPublish received, Caller caller, boolean externalCaller, Consumer<PublishResponse> respond) {
        long startNanos = System.nanoTime();
        Consumer<PublishResponse> timed = response -> {
            respond.accept(response);
            metrics.request("publish").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        };
        if (received.refused() != null) {
            timed.accept(refused(received.requestId(), received.refused()));
            return;
        }
        PublishRequest request = received.request();
        BrokerMetadata view = metadata.get();
        RecordError refusal = checks.refusal(request, view, caller);
        if (refusal != null) {
            timed.accept(refused(request.getRequestId(), refusal));
            return;
        }
        String topic = request.getTopic();
        int[] partitions = partitioner.partitions(request, view);
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (int i = 0; i < partitions.length; i++) {
            byPartition.computeIfAbsent(partitions[i], p -> new ArrayList<>()).add(i);
        }
        LogConfig log = topicConfigs.logConfig(topic);
        int maxBatchBytes = Math.min(log.maxMessageBytes(), log.segmentBytes());
        CompressionType codec = log.compression().orElse(CompressionType.NONE);
        long nowMs = System.currentTimeMillis();
        Map<Integer, PartitionBatches.Encoded> encoded = new HashMap<>();
        byPartition.forEach((partition, indices) -> encoded.put(
                partition,
                PartitionBatches.encode(request.getRecordsList(), indices, maxBatchBytes, nowMs, topic, codec)));

        PublishAnswers answers = new PublishAnswers(request, partitions, encoded, nowMs, view, externalCaller, timed);
        Map<Integer, ByteBuffer> local = new TreeMap<>();
        Map<Integer, Map<Integer, ByteBuffer>> byLeader = new TreeMap<>();
        Map<Integer, AppendAnswer> leaderless = new HashMap<>();
        encoded.forEach((partition, batches) -> {
            if (batches.records().isEmpty()) {
                return;
            }
            int leader = view.partition(topic, partition)
                    .map(PartitionRecord::getLeader)
                    .orElse(-1);
            if (leader == brokerId) {
                local.put(partition, batches.batches());
            } else if (leader >= 0) {
                byLeader.computeIfAbsent(leader, l -> new TreeMap<>()).put(partition, batches.batches());
            } else {
                leaderless.put(
                        partition,
                        AppendAnswer.failed(
                                ErrorCode.NOT_LEADER,
                                "partition " + partition + " of topic '" + topic + "' has no leader now; retry"));
            }
        });
        long timeoutMillis = request.getTimeoutMs() > 0
                ? Math.min(request.getTimeoutMs(), requestTimeoutMillis)
                : requestTimeoutMillis;
        answers.respondIfNothingAwaited();
        if (!leaderless.isEmpty()) {
            answers.answered(leaderless);
        }
        byLeader.forEach((leader, batches) ->
                leaders.forward(leader, topic, batches, request.getAcks(), timeoutMillis, answers::answered));
        if (!local.isEmpty()) {
            appendHere(topic, local, requiredAcks(request), timeoutMillis, answers);
        }
    }

    /** As Produce appends: each partition's batches in a direct buffer the log patches and writes as it is. */
    private void appendHere(
            String topic,
            Map<Integer, ByteBuffer> batches,
            RequiredAcks acks,
            long timeoutMillis,
            PublishAnswers answers) {
        Map<TopicPartition, ByteBuffer> entries = new HashMap<>();
        batches.forEach((partition, records) -> entries.put(
                new TopicPartition(topic, partition),
                ByteBuffer.allocateDirect(records.remaining())
                        .put(records.duplicate())
                        .flip()));
        replicaManager.appendRecords(acks, timeoutMillis, entries, outcomes -> {
            Map<Integer, AppendAnswer> appended = new HashMap<>();
            outcomes.forEach((tp, outcome) -> {
                appended.put(tp.partition(), answer(outcome));
                if (outcome.succeeded()) {
                    metrics.bytesIn(topic, entries.get(tp).capacity());
                }
            });
            answers.answered(appended);
        });
    }

    private static AppendAnswer answer(ProduceOutcome outcome) {
        return outcome.succeeded()
                ? new AppendAnswer(ErrorCode.NONE, "", outcome.baseOffset(), outcome.logAppendTimeMs())
                : AppendAnswer.failed(outcome.error().code(), outcome.error().message());
    }

    private static RequiredAcks requiredAcks(PublishRequest request) {
        return switch (request.getAcks()) {
            case ACKS_NONE -> RequiredAcks.NONE;
            case ACKS_LEADER -> RequiredAcks.LEADER;
            case ACKS_ALL, ACKS_UNSPECIFIED -> RequiredAcks.ALL;
            case UNRECOGNIZED ->
                throw new IllegalArgumentException("acks " + request.getAcksValue() + ": refused by PublishChecks");
        };
    }

    private static PublishResponse refused(long requestId, RecordError error) {
        return PublishResponse.newBuilder()
                .setRequestId(requestId)
                .setError(error)
                .build();
    }
}
