package io.ferry.client.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerConfig.OffsetReset;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.OffsetOutOfRangeException;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One fetch round for a consumer: one long-polling Fetch per partition leader covering every
 * assigned partition that has a position and nothing buffered, sent together and awaited together;
 * the answers are decoded into each partition's buffer, skipping records below its position.
 *
 * <p>Not thread-safe: used only by the consumer's thread.
 */
public final class Fetcher {

    private final MetadataManager metadata;
    private final Channels channels;
    private final ConsumerConfig config;

    public Fetcher(MetadataManager metadata, Channels channels, ConsumerConfig config) {
        this.metadata = metadata;
        this.channels = channels;
        this.config = config;
    }

    /**
     * Runs one round, waiting at most until {@code deadlineNanos} for the brokers to hold the fetch.
     *
     * @return true when some partition needs fresher metadata (no leader, or a leader error)
     * @throws OffsetOutOfRangeException when a position is out of range and auto.offset.reset is none
     */
    public boolean fetch(Map<TopicPartition, PartitionFetchState> states, long deadlineNanos) {
        ClusterView view = metadata.view();
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        boolean needMetadata = false;
        for (Map.Entry<TopicPartition, PartitionFetchState> e : states.entrySet()) {
            PartitionFetchState state = e.getValue();
            if (state.needsPosition() || !state.buffered.isEmpty()) {
                continue;
            }
            int leader = view.leader(e.getKey());
            if (leader < 0) {
                needMetadata = true;
            } else {
                byLeader.computeIfAbsent(leader, id -> new ArrayList<>()).add(e.getKey());
            }
        }
        long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        int maxWaitMs = (int) Math.min(config.fetchMaxWaitMs(), remainingMs);
        Map<Integer, CompletableFuture<FetchResponse>> calls = new LinkedHashMap<>();
        Map<Integer, Map<TopicPartition, Long>> requested = new HashMap<>();
        byLeader.forEach((leader, partitions) -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            partitions.forEach(tp -> offsets.put(tp, states.get(tp).position));
            requested.put(leader, offsets);
            calls.put(leader, send(view, leader, partitions, offsets, maxWaitMs));
        });
        Map<TopicPartition, Long> outOfRange = new LinkedHashMap<>();
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs + (long) config.requestTimeoutMs());
        for (Map.Entry<Integer, CompletableFuture<FetchResponse>> call : calls.entrySet()) {
            FetchResponse response;
            try {
                response = call.getValue().get(waitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new FerryInterruptedException("interrupted while fetching", e);
            } catch (ExecutionException | TimeoutException e) {
                needMetadata = true; // a transport failure: the broker may be gone
                continue;
            }
            needMetadata |= handle(response, states, requested.get(call.getKey()), outOfRange);
        }
        if (!outOfRange.isEmpty()) {
            throw new OffsetOutOfRangeException("Fetch positions out of range with no reset policy"
                    + " (auto.offset.reset=none): " + outOfRange, outOfRange);
        }
        return needMetadata;
    }

    private CompletableFuture<FetchResponse> send(ClusterView view, int leader, List<TopicPartition> partitions,
                                                  Map<TopicPartition, Long> offsets, int maxWaitMs) {
        Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionInfo info = view.partition(tp.topic(), tp.partition());
            topics.computeIfAbsent(tp.topic(), t -> FetchTopic.newBuilder().setTopic(t))
                    .addPartitions(FetchPartition.newBuilder().setPartition(tp.partition())
                            .setFetchOffset(offsets.get(tp)).setPartitionMaxBytes(config.maxPartitionFetchBytes())
                            .setCurrentLeaderEpoch(info == null ? -1 : info.leaderEpoch()));
        }
        FetchRequest.Builder request = FetchRequest.newBuilder().setMaxWaitMs(maxWaitMs)
                .setMinBytes(config.fetchMinBytes()).setMaxBytes(config.fetchMaxBytes());
        topics.values().forEach(request::addTopics);
        CompletableFuture<FetchResponse> future = new CompletableFuture<>();
        BrokerServiceGrpc.newStub(channels.get(view.address(leader)))
                .withDeadlineAfter(maxWaitMs + (long) config.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .fetch(request.build(), new StreamObserver<>() {
                    @Override
                    public void onNext(FetchResponse value) {
                        future.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        future.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return future;
    }

    private boolean handle(FetchResponse response, Map<TopicPartition, PartitionFetchState> states,
                           Map<TopicPartition, Long> requested, Map<TopicPartition, Long> outOfRange) {
        boolean needMetadata = false;
        for (FetchTopicResult topic : response.getTopicsList()) {
            for (FetchPartitionResult result : topic.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(topic.getTopic(), result.getPartition());
                PartitionFetchState state = states.get(tp);
                Long offset = requested.get(tp);
                if (state == null || offset == null || state.position != offset || state.pendingReset != null) {
                    continue; // unassigned or moved since the request was built
                }
                ErrorCode code = result.hasError() ? result.getError().getCode() : ErrorCode.NONE;
                switch (code) {
                    case NONE -> decode(tp, state, result);
                    case OFFSET_OUT_OF_RANGE -> {
                        if (config.autoOffsetReset() == OffsetReset.NONE) {
                            outOfRange.put(tp, offset);
                        } else {
                            state.pendingReset = config.autoOffsetReset();
                        }
                    }
                    default -> {
                        if (!ErrorCodes.isRetriable(code)) {
                            throw new FerryException(code, tp + ": " + result.getError().getMessage());
                        }
                        needMetadata = true;
                    }
                }
            }
        }
        return needMetadata;
    }

    private static void decode(TopicPartition tp, PartitionFetchState state, FetchPartitionResult result) {
        if (result.getRecords().isEmpty()) {
            return;
        }
        BatchScanner scanner = BatchScanner.of(result.getRecords().asReadOnlyByteBuffer());
        long position = state.position;
        long end = position;
        try {
            RecordBatch batch;
            while ((batch = scanner.next()) != null) {
                if (batch.nextOffset() <= position) {
                    continue;
                }
                if (!batch.isControl()) {
                    RecordIterator it = batch.records();
                    while (it.hasNext()) {
                        Record r = it.next();
                        if (r.offset() >= position) {
                            state.buffered.add(new ConsumerRecord(tp.topic(), tp.partition(), r.offset(), r.timestamp(),
                                    r.keyBytes(), r.valueBytes(), r.headers()));
                        }
                    }
                }
                end = batch.nextOffset();
            }
        } catch (CorruptBatchException e) {
            if (end == position) {
                throw new FerryException(ErrorCode.CORRUPT_BATCH, "fetched data of " + tp + " at offset " + position
                        + " is corrupt: " + e.getMessage(), e);
            }
            // Batches before the bad one are good; the next fetch starts at the bad one and reports it.
        }
        state.bufferEnd = end;
        if (state.buffered.isEmpty()) {
            state.position = end;
            state.bufferEnd = -1;
        }
    }
}
