package io.ferry.client.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerConfig.OffsetReset;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.CorruptRecordBatchException;
import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.FetchedBatch;
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
import io.ferry.record.CorruptBatchException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetch rounds for a consumer: one long-polling Fetch per partition leader covering every assigned
 * partition that has a position and room in its buffer; a partition with records still buffered is
 * fetched from where they end, so the next answer travels while the application drains the current
 * one (a partition buffers at most two answers). The answers are decoded onto each partition's
 * buffer, skipping records below the offset asked for; a batch that cannot be decoded ends the
 * partition's answer and waits behind the records before it ({@link PartitionFetchState#corrupt}) for
 * the consumer to report or skip. A round can be started ahead
 * ({@link #prefetch}) so the next poll finds records waiting; an answer for an offset that is no
 * longer the partition's fetch offset (a seek or reset since) is dropped.
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

    /** A fetch on the wire to one leader, with the positions it asked for. */
    private record Pending(Map<TopicPartition, Long> offsets, CompletableFuture<FetchResponse> response) {}

    private final List<Pending> pending = new ArrayList<>();

    /**
     * Sends a round unless one is already on the wire, then waits at most until {@code deadlineNanos}
     * for the answers; answers that arrive later are handled by a later call.
     *
     * @return true when some partition needs fresher metadata (no leader, or a leader error)
     * @throws OffsetOutOfRangeException when a position is out of range and auto.offset.reset is none
     */
    public boolean fetch(Map<TopicPartition, PartitionFetchState> states, long deadlineNanos) {
        boolean needMetadata = false;
        if (pending.isEmpty()) {
            long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
            needMetadata = sendRound(states, (int) Math.min(config.fetchMaxWaitMs(), remainingMs));
        }
        return collect(states, deadlineNanos) || needMetadata;
    }

    /**
     * Starts a round for the partitions with room in their buffer and returns at once, so records arrive
     * while the application processes the previous ones. Does nothing while a round is on the wire.
     */
    public void prefetch(Map<TopicPartition, PartitionFetchState> states) {
        if (pending.isEmpty()) {
            sendRound(states, config.fetchMaxWaitMs());
        }
    }

    /** Sends one Fetch per leader; returns true when some partition has no known leader. */
    private boolean sendRound(Map<TopicPartition, PartitionFetchState> states, int maxWaitMs) {
        ClusterView view = metadata.view();
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        boolean needMetadata = false;
        for (Map.Entry<TopicPartition, PartitionFetchState> e : states.entrySet()) {
            PartitionFetchState state = e.getValue();
            if (!state.fetchable()) {
                continue;
            }
            int leader = view.leader(e.getKey());
            if (leader < 0) {
                needMetadata = true;
            } else {
                byLeader.computeIfAbsent(leader, id -> new ArrayList<>()).add(e.getKey());
            }
        }
        byLeader.forEach((leader, partitions) -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            partitions.forEach(tp -> offsets.put(tp, states.get(tp).fetchOffset()));
            pending.add(new Pending(offsets, send(view, leader, partitions, offsets, maxWaitMs)));
        });
        return needMetadata;
    }

    private boolean collect(Map<TopicPartition, PartitionFetchState> states, long deadlineNanos) {
        boolean needMetadata = false;
        Map<TopicPartition, Long> outOfRange = new LinkedHashMap<>();
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending call = it.next();
            FetchResponse response;
            try {
                response = call.response().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new FerryInterruptedException("interrupted while fetching", e);
            } catch (TimeoutException e) {
                continue; // still long-polling: a later poll takes the answer
            } catch (ExecutionException e) {
                it.remove();
                needMetadata = true; // a transport failure: the broker may be gone
                continue;
            }
            it.remove();
            needMetadata |= handle(response, states, call.offsets(), outOfRange);
        }
        if (!outOfRange.isEmpty()) {
            throw new OffsetOutOfRangeException(
                    "Fetch positions out of range with no reset policy" + " (auto.offset.reset=none): " + outOfRange,
                    outOfRange);
        }
        return needMetadata;
    }

    private CompletableFuture<FetchResponse> send(
            ClusterView view,
            int leader,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> offsets,
            int maxWaitMs) {
        Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionInfo info = view.partition(tp.topic(), tp.partition());
            topics.computeIfAbsent(tp.topic(), t -> FetchTopic.newBuilder().setTopic(t))
                    .addPartitions(FetchPartition.newBuilder()
                            .setPartition(tp.partition())
                            .setFetchOffset(offsets.get(tp))
                            .setPartitionMaxBytes(config.maxPartitionFetchBytes())
                            .setCurrentLeaderEpoch(info == null ? -1 : info.leaderEpoch()));
        }
        FetchRequest.Builder request = FetchRequest.newBuilder()
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(config.fetchMinBytes())
                .setMaxBytes(config.fetchMaxBytes());
        topics.values().forEach(request::addTopics);
        UnaryAnswer<FetchResponse> answer = new UnaryAnswer<>();
        BrokerServiceGrpc.newStub(channels.get(view.address(leader)))
                .withDeadlineAfter(maxWaitMs + (long) config.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .fetch(request.build(), answer);
        return answer.future();
    }

    private boolean handle(
            FetchResponse response,
            Map<TopicPartition, PartitionFetchState> states,
            Map<TopicPartition, Long> requested,
            Map<TopicPartition, Long> outOfRange) {
        boolean needMetadata = false;
        for (FetchTopicResult topic : response.getTopicsList()) {
            for (FetchPartitionResult result : topic.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(topic.getTopic(), result.getPartition());
                PartitionFetchState state = states.get(tp);
                Long offset = requested.get(tp);
                if (state == null || offset == null || state.needsPosition() || state.fetchOffset() != offset) {
                    continue; // unassigned or moved since the request was built
                }
                ErrorCode code = result.hasError() ? result.getError().getCode() : ErrorCode.NONE;
                switch (code) {
                    case NONE -> decode(tp, state, result, offset);
                    case OFFSET_OUT_OF_RANGE -> {
                        if (config.autoOffsetReset() == OffsetReset.NONE) {
                            outOfRange.put(tp, offset);
                        } else {
                            state.pendingReset = config.autoOffsetReset();
                        }
                    }
                    default -> {
                        if (!ErrorCodes.isRetriable(code)) {
                            throw new FerryException(
                                    code, tp + ": " + result.getError().getMessage());
                        }
                        needMetadata = true;
                    }
                }
            }
        }
        return needMetadata;
    }

    /**
     * Adds the records at or after {@code position} (the offset asked for) behind those already
     * buffered. A batch that cannot be decoded stops the answer there: the records of the batches before
     * it are buffered, none of its own, and it waits in {@link PartitionFetchState#corrupt}.
     */
    private static void decode(
            TopicPartition tp, PartitionFetchState state, FetchPartitionResult result, long position) {
        if (result.getRecords().isEmpty()) {
            return;
        }
        List<FetchedBatch> batches =
                BatchWalker.walk(result.getRecords().asReadOnlyByteBuffer(), position, result.getHighWatermark());
        boolean hadBuffered = !state.buffered.isEmpty();
        int before = state.buffered.size();
        long end = position;
        for (FetchedBatch batch : batches) {
            if (batch.nextOffset() >= 0 && batch.nextOffset() <= position) {
                continue; // wholly below the offset asked for
            }
            List<ConsumerRecord> records = new ArrayList<>();
            try {
                if (batch.problem() != null) {
                    throw batch.problem();
                }
                if (!batch.batch().isControl()) {
                    batch.readRecords(r -> {
                        if (r.offset() >= position) {
                            records.add(new ConsumerRecord(
                                    tp.topic(),
                                    tp.partition(),
                                    r.offset(),
                                    r.timestamp(),
                                    r.keyBytes(),
                                    r.valueBytes(),
                                    r.headers()));
                        }
                    });
                }
            } catch (CorruptBatchException e) {
                state.corrupt = new CorruptRecordBatchException(tp, batch, e);
                break;
            }
            state.buffered.addAll(records);
            end = batch.nextOffset();
        }
        if (state.buffered.isEmpty()) {
            state.position = end;
            state.bufferEnd = -1;
        } else {
            state.bufferEnd = end;
            state.fetchedAhead |= hadBuffered && state.buffered.size() > before;
        }
    }
}
