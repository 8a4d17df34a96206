package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.internal.DelayedFetch;
import io.ferry.replication.internal.DelayedOperations;
import io.ferry.replication.internal.DelayedProduce;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.StorageException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The partitions this broker hosts, and the request paths through them: produce (with {@code acks=all}
 * waiting in a delayed-operation registry until the high watermark passes), consumer fetch (long-poll
 * in the same kind of registry), ListOffsets. Metadata from the controller arrives through
 * {@link #applyPartitionState} and {@link #removePartition}.
 *
 * <p>No thread waits per request: a waiting request is completed by the thread whose action satisfied
 * it (an append, a follower fetch, a metadata change) or by the shared {@link Timer} at its deadline.
 * Callbacks therefore run on those threads and must not block.
 *
 * <p>Thread-safe.
 */
public final class ReplicaManager implements AutoCloseable {

    private final int localBrokerId;
    private final ReplicaLogs logs;
    private final ToIntFunction<String> minInsyncReplicas;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final DelayedOperations<TopicPartition> produceWaiters;
    private final DelayedOperations<TopicPartition> fetchWaiters;

    /**
     * @param minInsyncReplicas {@code min.insync.replicas} of a topic
     */
    public ReplicaManager(int localBrokerId, ReplicaLogs logs, Timer timer, ToIntFunction<String> minInsyncReplicas) {
        this.localBrokerId = localBrokerId;
        this.logs = logs;
        this.minInsyncReplicas = minInsyncReplicas;
        this.produceWaiters = new DelayedOperations<>(timer);
        this.fetchWaiters = new DelayedOperations<>(timer);
    }

    /**
     * Applies the controller's state for a partition this broker replicates, opening (or creating) its
     * log the first time. Leader with a new epoch: the epoch is recorded at the log end offset.
     */
    public void applyPartitionState(TopicPartition tp, LeaderAndIsr state) {
        Partition partition = partitions.computeIfAbsent(tp, t -> new Partition(t, localBrokerId, logs.open(t)));
        partition.apply(state);
        wake(tp);
    }

    /**
     * Stops hosting a partition (topic deleted or replica moved): waiting requests on it are answered
     * NOT_LEADER at once.
     *
     * @param deleteLog whether to remove its log from disk as well
     */
    public void removePartition(TopicPartition tp, boolean deleteLog) {
        Partition removed = partitions.remove(tp);
        if (removed != null) {
            removed.markOffline("the replica was removed from this broker");
            wake(tp);
        }
        if (deleteLog) {
            logs.delete(tp);
        }
    }

    private void wake(TopicPartition tp) {
        produceWaiters.checkAndComplete(tp);
        fetchWaiters.checkAndComplete(tp);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /** Every hosted partition's state now. */
    public List<PartitionSnapshot> snapshots() {
        List<PartitionSnapshot> result = new ArrayList<>();
        for (Partition p : partitions.values()) {
            result.add(p.snapshot());
        }
        return result;
    }

    /**
     * Appends each partition's batches as leader. Each partition is all or nothing; partitions are
     * independent. {@code callback} gets one outcome per partition, once: at once for
     * {@link RequiredAcks#NONE} and {@link RequiredAcks#LEADER} (and for partitions that failed), and
     * for {@link RequiredAcks#ALL} when every appended partition's high watermark passed its last offset
     * or {@code timeoutMs} elapsed.
     */
    public void appendRecords(RequiredAcks acks, long timeoutMs, Map<TopicPartition, ByteBuffer> entries,
                              Consumer<Map<TopicPartition, ProduceOutcome>> callback) {
        Map<TopicPartition, ProduceOutcome> settled = new LinkedHashMap<>();
        Map<TopicPartition, DelayedProduce.Waiting> waiting = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, ByteBuffer> entry : entries.entrySet()) {
            TopicPartition tp = entry.getKey();
            Partition partition = partitions.get(tp);
            if (partition == null) {
                settled.put(tp, ProduceOutcome.failed(notHosted(tp)));
                continue;
            }
            try {
                Partition.LeaderAppend appended = partition.appendAsLeader(entry.getValue(), acks,
                        minInsyncReplicas.applyAsInt(tp.topic()));
                ProduceOutcome outcome = new ProduceOutcome(null, appended.info().firstOffset(),
                        appended.info().lastOffset(), appended.info().appendTimeMs(), appended.logStartOffset());
                if (appended.highWatermarkAdvanced()) {
                    wake(tp);
                }
                if (acks == RequiredAcks.ALL) {
                    waiting.put(tp, new DelayedProduce.Waiting(partition, appended.leaderEpoch(), outcome));
                } else {
                    settled.put(tp, outcome);
                }
            } catch (ReplicationException e) {
                settled.put(tp, ProduceOutcome.failed(e.error()));
            } catch (LogAppendException e) {
                settled.put(tp, ProduceOutcome.failed(appendError(tp, e)));
            }
        }
        if (waiting.isEmpty()) {
            callback.accept(settled);
            return;
        }
        DelayedProduce delayed = new DelayedProduce(timeoutMs, settled, waiting, callback);
        produceWaiters.tryCompleteElseWatch(delayed, List.copyOf(waiting.keySet()));
    }

    private static PartitionError appendError(TopicPartition tp, LogAppendException e) {
        ErrorCode code = switch (e.reason()) {
            case CORRUPT_BATCH -> ErrorCode.CORRUPT_BATCH;
            case BATCH_TOO_LARGE -> ErrorCode.BATCH_TOO_LARGE;
            case EMPTY, NON_CONTIGUOUS_OFFSET -> ErrorCode.INVALID_REQUEST;
            // The log holds a newer epoch than this leadership: this leader is stale.
            case INVALID_LEADER_EPOCH -> ErrorCode.FENCED_LEADER_EPOCH;
        };
        return PartitionError.of(code, "partition " + tp + ": " + e.getMessage() + "; nothing was appended");
    }

    private PartitionError notHosted(TopicPartition tp) {
        return PartitionError.of(ErrorCode.NOT_LEADER, "broker " + localBrokerId + " hosts no replica of " + tp);
    }

    /**
     * A consumer fetch: answered at once if {@code params.maxWaitMs()} is 0, a partition has an error, or
     * {@code params.minBytes()} are available; otherwise when an advancing high watermark makes them
     * available or the wait ends.
     */
    public void fetch(FetchParams params, List<FetchPartitionRequest> requests,
                      Consumer<Map<TopicPartition, FetchedPartition>> callback) {
        Map<TopicPartition, FetchedPartition> now = read(params, requests);
        if (params.maxWaitMs() == 0 || DelayedFetch.satisfies(now, params.minBytes())) {
            callback.accept(now);
            return;
        }
        DelayedFetch delayed = new DelayedFetch(params, () -> read(params, requests), callback);
        fetchWaiters.tryCompleteElseWatch(delayed, requests.stream().map(FetchPartitionRequest::tp).toList());
    }

    /**
     * Reads every partition within the byte limits: the first non-empty partition returns at least its
     * first batch; later ones only what fits in what is left of {@code maxBytes}.
     */
    private Map<TopicPartition, FetchedPartition> read(FetchParams params, List<FetchPartitionRequest> requests) {
        Map<TopicPartition, FetchedPartition> result = new LinkedHashMap<>();
        long remaining = params.maxBytes();
        boolean anyRecords = false;
        for (FetchPartitionRequest request : requests) {
            Partition partition = partitions.get(request.tp());
            if (partition == null) {
                result.put(request.tp(), FetchedPartition.failed(notHosted(request.tp())));
                continue;
            }
            try {
                int limit = (int) Math.min(Math.max(0, request.partitionMaxBytes()), Math.max(0, remaining));
                FetchedPartition read = partition.readForConsumer(request.fetchOffset(), limit,
                        request.currentLeaderEpoch());
                int size = read.records().remaining();
                if (size > 0 && (limit == 0 || (anyRecords && size > remaining))) {
                    read = FetchedPartition.empty(read.highWatermark(), read.logStartOffset());
                    size = 0;
                }
                anyRecords |= size > 0;
                remaining -= size;
                result.put(request.tp(), read);
            } catch (ReplicationException e) {
                result.put(request.tp(), FetchedPartition.failed(e.error()));
            }
        }
        return result;
    }

    /**
     * ListOffsets on the leader; see {@link Partition#listOffset}.
     *
     * @throws ReplicationException NOT_LEADER, INVALID_REQUEST
     */
    public OffsetAndEpoch listOffset(TopicPartition tp, long timestamp) throws ReplicationException {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new ReplicationException(notHosted(tp));
        }
        try {
            return partition.listOffset(timestamp);
        } catch (StorageException e) {
            throw new ReplicationException(ErrorCode.STORAGE_ERROR, "partition " + tp + ": " + e.getMessage());
        }
    }

    /**
     * A follower reports its log end offset (from its fetch); may advance the high watermark and
     * complete waiting requests.
     */
    public void updateFollowerEndOffset(TopicPartition tp, int replicaId, long followerLeo)
            throws ReplicationException {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new ReplicationException(notHosted(tp));
        }
        if (partition.updateFollowerEndOffset(replicaId, followerLeo)) {
            wake(tp);
        }
    }

    /** acks=all produces and long-poll fetches currently waiting (each counted once per partition). */
    public int waitingRequests() {
        return produceWaiters.watchedCount() + fetchWaiters.watchedCount();
    }

    /** Answers every waiting request now, from the current state (timeouts or what is readable). */
    @Override
    public void close() {
        produceWaiters.completeAll();
        fetchWaiters.completeAll();
    }
}
