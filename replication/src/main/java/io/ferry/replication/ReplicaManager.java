package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.internal.DelayedFetch;
import io.ferry.replication.internal.DelayedOperations;
import io.ferry.replication.internal.DelayedProduce;
import io.ferry.replication.internal.ReadPositions;
import io.ferry.replication.internal.ReplicaFetcher;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.StorageException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, and the request paths through them: produce (with {@code acks=all}
 * waiting in a delayed-operation registry until the high watermark passes), consumer fetch (long-poll
 * in the same kind of registry), follower fetch as leader ({@link #fetchForFollower}), ListOffsets.
 * Metadata from the controller arrives through {@link #applyPartitionState}, {@link #removePartition}
 * and {@link #setFencedBrokers}; partitions this broker follows are fetched by one fetcher per leader
 * broker, each on its own serial executor. As leader it asks the controller to shrink the ISR when a follower lags longer than
 * {@code replica.lag.time.max.ms} (checked every half of it) and to expand it when one catches up.
 *
 * <p>No thread waits per request: a waiting request is completed by the thread whose action satisfied
 * it (an append, a follower fetch, a metadata change) or by the shared {@link Timer} at its deadline.
 * Callbacks therefore run on those threads and must not block.
 *
 * <p>Thread-safe.
 */
public final class ReplicaManager implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ReplicaManager.class);

    /**
     * Pause before a refused ISR change may be asked again, or an unanswered one is sent again, so a fetch loop
     * cannot flood the controller.
     */
    static final long ISR_CHANGE_RETRY_MS = 200;

    /**
     * What a replica manager uses from outside: time, the RPCs to leaders and to the controller, where
     * replication events go, and the executors its fetchers run on. Nothing in replication starts a thread
     * or reads a clock of its own, so a deterministic timer, clock and executors make it a simulation.
     */
    public record Environment(
            Timer timer,
            InstantSource clock,
            LeaderClient leaders,
            AlterPartitionChannel controller,
            ReplicationListener listener,
            FetcherExecutors fetcherExecutors) {}

    private final int localBrokerId;
    private final ReplicaLogs logs;
    private final ToIntFunction<String> minInsyncReplicas;
    private final ReplicationConfig config;
    private final Environment env;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** See {@link #hostedPartitionsChanges()}. */
    private final AtomicLong hostedChanges = new AtomicLong();

    private final DelayedOperations<TopicPartition> produceWaiters;
    private final DelayedOperations<TopicPartition> fetchWaiters;
    private final DelayedOperations<TopicPartition> followerFetchWaiters;
    /** Leader broker id → its fetcher. Guarded by itself. */
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    /** Brokers the controller has fenced, as of the last metadata applied: their fetches are refused. */
    private volatile Set<Integer> fencedBrokers = Set.of();

    private volatile boolean closed;

    /**
     * @param minInsyncReplicas {@code min.insync.replicas} of a topic
     */
    public ReplicaManager(
            int localBrokerId,
            ReplicaLogs logs,
            ToIntFunction<String> minInsyncReplicas,
            ReplicationConfig config,
            Environment env) {
        this.localBrokerId = localBrokerId;
        this.logs = logs;
        this.minInsyncReplicas = minInsyncReplicas;
        this.config = config;
        this.env = env;
        this.produceWaiters = new DelayedOperations<>(env.timer(), partitions::containsKey);
        this.fetchWaiters = new DelayedOperations<>(env.timer(), partitions::containsKey);
        this.followerFetchWaiters = new DelayedOperations<>(env.timer(), partitions::containsKey);
        scheduleIsrCheck();
    }

    /**
     * Applies the controller's state for a partition this broker replicates, opening (or creating) its
     * log the first time. Leader with a new epoch: the epoch is recorded at the log end offset. Follower:
     * the partition moves to the fetcher of its leader.
     */
    public void applyPartitionState(TopicPartition tp, LeaderAndIsr state) {
        applyWithoutWaking(tp, state);
        resendChangedFetches();
        wake(tp);
    }

    /**
     * {@link #applyPartitionState} for each of {@code states} (a metadata view's changes), then checks each
     * waiting request on them once, not once per partition of it that changed.
     */
    public void applyPartitionStates(Map<TopicPartition, LeaderAndIsr> states) {
        states.forEach(this::applyWithoutWaking);
        resendChangedFetches();
        produceWaiters.checkAndComplete(states.keySet());
        fetchWaiters.checkAndComplete(states.keySet());
        followerFetchWaiters.checkAndComplete(states.keySet());
    }

    private void applyWithoutWaking(TopicPartition tp, LeaderAndIsr state) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            Partition[] created = new Partition[1];
            partition = partitions.computeIfAbsent(
                    tp,
                    t -> created[0] = new Partition(
                            t,
                            localBrokerId,
                            logs.open(t),
                            env.clock(),
                            config.replicaLagTimeMaxMs(),
                            id -> fencedBrokers.contains(id)));
            if (partition == created[0]) {
                // Counted once the partition is in the map: see hostedPartitionsChanges.
                hostedChanges.incrementAndGet();
            }
        }
        Partition.Applied applied = partition.apply(state);
        updateFetcher(partition);
        if (applied.newLeadership()) {
            env.listener().leaderElected(tp);
        }
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
            hostedChanges.incrementAndGet();
            removed.markOffline("the replica was removed from this broker");
            updateFetcher(removed);
            wake(tp);
            produceWaiters.forget(tp);
            fetchWaiters.forget(tp);
            followerFetchWaiters.forget(tp);
        }
        if (deleteLog) {
            logs.delete(tp);
        }
    }

    /**
     * The brokers the controller has fenced, from the newest metadata: as leader, this broker refuses their
     * ReplicaFetch with BROKER_FENCED, so a fenced broker neither moves a high watermark nor makes this leader
     * ask the controller (which would refuse) to add it to an ISR; outside the ISR it no longer holds one.
     * Call it before applying the partition states of the same metadata.
     */
    public void setFencedBrokers(Set<Integer> brokerIds) {
        fencedBrokers = Set.copyOf(brokerIds);
    }

    /** Puts the partition on the fetcher of the leader it follows, and off every other. */
    private void updateFetcher(Partition partition) {
        Optional<LeaderAndIsr> followed = partition.followedState();
        int leader = followed.map(LeaderAndIsr::leader).orElse(LeaderAndIsr.NO_LEADER);
        synchronized (fetchers) {
            if (closed) {
                return;
            }
            for (Iterator<Map.Entry<Integer, ReplicaFetcher>> it =
                            fetchers.entrySet().iterator();
                    it.hasNext(); ) {
                Map.Entry<Integer, ReplicaFetcher> entry = it.next();
                if (entry.getKey() != leader
                        && entry.getValue().unfollow(partition.tp())
                        && entry.getValue().isIdle()) {
                    entry.getValue().close();
                    it.remove();
                }
            }
            followed.ifPresent(state -> fetchers.computeIfAbsent(
                            leader,
                            id -> new ReplicaFetcher(
                                    id,
                                    localBrokerId,
                                    env.leaders(),
                                    config,
                                    env.timer(),
                                    env.fetcherExecutors().create("ferry-replica-fetcher-" + id)))
                    .follow(partition, state.leaderEpoch()));
        }
    }

    /** A follower's request held at the leader names the partitions it follows: one that gained some asks again. */
    private void resendChangedFetches() {
        synchronized (fetchers) {
            fetchers.values().forEach(ReplicaFetcher::resendIfChanged);
        }
    }

    private void wake(TopicPartition tp) {
        produceWaiters.checkAndComplete(tp);
        fetchWaiters.checkAndComplete(tp);
        followerFetchWaiters.checkAndComplete(tp);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * The partitions hosted now, as a live read-only view: what a caller needs when it only asks which, without
     * the cost of a {@link #snapshots() snapshot} of each (its log's size and segment count), which a broker's
     * metadata thread paid per partition for every view it applied.
     */
    public Set<TopicPartition> hostedPartitions() {
        return Collections.unmodifiableSet(partitions.keySet());
    }

    /**
     * How many times a partition was added or removed so far: while it stays the same, {@link #hostedPartitions()}
     * names the same set, so a caller that walked it need not again. Read it before the set: counted after each
     * change is made.
     */
    public long hostedPartitionsChanges() {
        return hostedChanges.get();
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
     * or {@code timeoutMs} elapsed. If a log's flush policy asked for an fsync after its append, the
     * answer waits for it first, without a thread (the flush thread completes it): an acknowledgement the
     * policy covers is never sent before the fsync covering it completed, and acks=all starts waiting for
     * the in-sync replicas then. A failed flush answers STORAGE_ERROR (the replica goes offline), records
     * truncated before their flush NOT_LEADER.
     */
    public void appendRecords(
            RequiredAcks acks,
            long timeoutMs,
            Map<TopicPartition, ByteBuffer> entries,
            Consumer<Map<TopicPartition, ProduceOutcome>> callback) {
        Map<TopicPartition, ProduceOutcome> settled = new LinkedHashMap<>();
        Map<TopicPartition, DelayedProduce.Waiting> waiting = new LinkedHashMap<>();
        Map<TopicPartition, CompletableFuture<Void>> flushes = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, ByteBuffer> entry : entries.entrySet()) {
            TopicPartition tp = entry.getKey();
            Partition partition = partitions.get(tp);
            if (partition == null) {
                settled.put(tp, ProduceOutcome.failed(notHosted(tp)));
                continue;
            }
            try {
                int minIsr = minInsyncReplicas.applyAsInt(tp.topic());
                Partition.LeaderAppend appended = partition.appendAsLeader(entry.getValue(), acks, minIsr);
                ProduceOutcome outcome = new ProduceOutcome(
                        null,
                        appended.info().firstOffset(),
                        appended.info().lastOffset(),
                        appended.info().logAppendTimeMs(),
                        appended.logStartOffset());
                LatencyStage.LEADER_APPENDED.mark(tp, outcome.lastOffset(), -1);
                followerFetchWaiters.checkAndComplete(tp);
                if (appended.highWatermarkAdvanced()) {
                    wake(tp);
                }
                if (acks == RequiredAcks.ALL) {
                    waiting.put(tp, new DelayedProduce.Waiting(partition, appended.leaderEpoch(), minIsr, outcome));
                } else {
                    settled.put(tp, outcome);
                }
                if (!appended.info().flushed().isDone()
                        || appended.info().flushed().isCompletedExceptionally()) {
                    flushes.put(tp, appended.info().flushed());
                }
            } catch (ReplicationException e) {
                settled.put(tp, ProduceOutcome.failed(e.error()));
            } catch (LogAppendException e) {
                settled.put(tp, ProduceOutcome.failed(appendError(tp, e)));
            }
        }
        if (flushes.isEmpty()) {
            answerAppended(timeoutMs, settled, waiting, callback);
            return;
        }
        CompletableFuture.allOf(flushes.values().toArray(CompletableFuture[]::new))
                .whenComplete((done, failure) -> {
                    flushes.forEach((tp, flushed) -> {
                        Throwable failed = flushed.handle((ok, e) -> e).join();
                        if (failed != null) {
                            waiting.remove(tp);
                            settled.put(tp, ProduceOutcome.failed(flushError(tp, failed)));
                        }
                    });
                    answerAppended(timeoutMs, settled, waiting, callback);
                });
    }

    /** Answers an append whose flushes are done: now, or once the in-sync replicas have it (acks=all). */
    private void answerAppended(
            long timeoutMs,
            Map<TopicPartition, ProduceOutcome> settled,
            Map<TopicPartition, DelayedProduce.Waiting> waiting,
            Consumer<Map<TopicPartition, ProduceOutcome>> callback) {
        if (waiting.isEmpty()) {
            callback.accept(settled);
            return;
        }
        DelayedProduce delayed = new DelayedProduce(timeoutMs, settled, waiting, callback);
        produceWaiters.tryCompleteElseWatch(delayed, List.copyOf(waiting.keySet()));
    }

    /**
     * The error for a partition whose flush failed: its records were removed first (a truncation made this
     * replica a follower), or the fsync failed, which takes the replica offline as a failed write does.
     */
    private PartitionError flushError(TopicPartition tp, Throwable failure) {
        if (failure instanceof LogAppendException removed) {
            return PartitionError.of(
                    ErrorCode.NOT_LEADER,
                    "partition " + tp + ": " + removed.getMessage()
                            + "; they were not acknowledged: retry against the leader");
        }
        partition(tp).ifPresent(p -> p.markOffline("its log failed to flush: " + failure.getMessage()));
        return PartitionError.of(
                ErrorCode.STORAGE_ERROR, "partition " + tp + " failed to flush: " + failure.getMessage());
    }

    private static PartitionError appendError(TopicPartition tp, LogAppendException e) {
        ErrorCode code = switch (e.reason()) {
            case CORRUPT_BATCH -> ErrorCode.CORRUPT_BATCH;
            case INVALID_RECORD -> ErrorCode.INVALID_RECORD;
            case INVALID_TIMESTAMP -> ErrorCode.INVALID_TIMESTAMP;
            case BATCH_TOO_LARGE -> ErrorCode.BATCH_TOO_LARGE;
            case EMPTY, NON_CONTIGUOUS_OFFSET -> ErrorCode.INVALID_REQUEST;
            case OUT_OF_ORDER_SEQUENCE -> ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
            case INVALID_PRODUCER_EPOCH -> ErrorCode.INVALID_PRODUCER_EPOCH;
            case TOO_MANY_PRODUCER_IDS -> ErrorCode.TOO_MANY_PRODUCER_IDS;
            // The log holds a newer epoch than this leadership: this leader is stale.
            case INVALID_LEADER_EPOCH -> ErrorCode.FENCED_LEADER_EPOCH;
            // Only a flush's failure (flushError), never an append's refusal.
            case REMOVED_BEFORE_FLUSH -> ErrorCode.NOT_LEADER;
        };
        return PartitionError.of(code, "partition " + tp + ": " + e.getMessage() + "; nothing was appended");
    }

    private PartitionError notHosted(TopicPartition tp) {
        return PartitionError.of(ErrorCode.NOT_LEADER, "broker " + localBrokerId + " hosts no replica of " + tp);
    }

    /**
     * A consumer fetch: answered at once if {@code params.maxWaitMs()} is 0, a partition has an error, or
     * {@code params.minBytes()} are available; otherwise when an advancing high watermark makes them
     * available or the wait ends. The answer's records are slices of the logs: {@code callback} releases
     * each partition's {@link PartitionRead#lease()} once nothing reads them any more.
     */
    public void fetch(
            FetchParams params,
            List<FetchPartitionRequest> requests,
            Consumer<Map<TopicPartition, FetchedPartition>> callback) {
        Supplier<Map<TopicPartition, FetchedPartition>> read = () -> readWithin(
                params.maxBytes(),
                requests,
                FetchPartitionRequest::tp,
                FetchPartitionRequest::partitionMaxBytes,
                FetchedPartition::failed,
                (partition, request, limit) ->
                        partition.readForConsumer(request.fetchOffset(), limit, request.currentLeaderEpoch()),
                r -> FetchedPartition.empty(r.highWatermark(), r.logStartOffset()));
        List<TopicPartition> keys =
                requests.stream().map(FetchPartitionRequest::tp).toList();
        longPoll(fetchWaiters, params, keys, () -> readPositions(keys, true), read, answer -> {
            if (LatencyStage.enabled()) {
                answer.forEach((tp, p) -> {
                    if (p.records().hasRemaining()) {
                        LatencyStage.CONSUMER_FETCH_ANSWERED.mark(tp, p.highWatermark() - 1, -1);
                    }
                });
            }
            callback.accept(answer);
        });
    }

    /**
     * A follower's fetch, as leader: records each follower's log end offset (which may advance the high
     * watermark and complete acks=all produces) and answers with batches up to the log end offset, or where
     * the follower's log diverges. Long-polls like {@link #fetch} until new batches arrive. A fetch from a
     * fenced broker is refused whole (BROKER_FENCED), and one for a partition {@code replicaId} does not
     * replicate is refused for that partition (NOT_REPLICA), before anything of the follower is recorded.
     * As for {@link #fetch}, {@code callback} releases the answer's leases.
     */
    public void fetchForFollower(
            int replicaId,
            FetchParams params,
            List<ReplicaFetchPartition> requests,
            Consumer<Map<TopicPartition, ReplicaFetchResult>> callback) {
        if (fencedBrokers.contains(replicaId)) {
            callback.accept(refuseFenced(replicaId, requests));
            return;
        }
        Map<TopicPartition, ReplicaFetchResult> answered = new HashMap<>();
        List<ReplicaFetchPartition> toRead = new ArrayList<>();
        for (ReplicaFetchPartition request : requests) {
            Partition partition = partitions.get(request.tp());
            if (partition == null) {
                answered.put(request.tp(), ReplicaFetchResult.failed(notHosted(request.tp())));
                continue;
            }
            try {
                LatencyStage.LEADER_FOLLOWER_FETCHED.mark(request.tp(), request.fetchOffset() - 1, replicaId);
                Partition.FollowerFetch arrived = partition.followerFetched(replicaId, request);
                if (arrived.highWatermarkAdvanced()) {
                    LatencyStage.HIGH_WATERMARK_ADVANCED.mark(request.tp(), partition.highWatermark() - 1, -1);
                    wake(request.tp());
                }
                if (arrived.isrChange() != null) {
                    sendIsrChange(partition, arrived.isrChange());
                }
                if (arrived.answer() != null) {
                    answered.put(request.tp(), arrived.answer());
                } else {
                    toRead.add(request);
                }
            } catch (ReplicationException e) {
                answered.put(request.tp(), ReplicaFetchResult.failed(e.error()));
            }
        }
        Supplier<Map<TopicPartition, ReplicaFetchResult>> read = () -> {
            Map<TopicPartition, ReplicaFetchResult> result = new LinkedHashMap<>(answered);
            result.putAll(readWithin(
                    params.maxBytes(),
                    toRead,
                    ReplicaFetchPartition::tp,
                    ReplicaFetchPartition::maxBytes,
                    ReplicaFetchResult::failed,
                    (partition, request, limit) -> partition.readForFollower(new ReplicaFetchPartition(
                            request.tp(),
                            request.fetchOffset(),
                            request.currentLeaderEpoch(),
                            request.lastFetchedEpoch(),
                            limit)),
                    ReplicaFetchResult::withoutRecords));
            return result;
        };
        List<TopicPartition> keys =
                toRead.stream().map(ReplicaFetchPartition::tp).toList();
        // A follower's read stops at the log end, so a high watermark change alone reads nothing new.
        longPoll(followerFetchWaiters, params, keys, () -> readPositions(keys, false), read, answer -> {
            if (LatencyStage.enabled()) {
                answer.forEach((tp, r) -> {
                    if (r.records().hasRemaining()) {
                        LatencyStage.FOLLOWER_ANSWERED.mark(tp, r.logEndOffset() - 1, replicaId);
                    }
                });
            }
            callback.accept(answer);
        });
    }

    private static Map<TopicPartition, ReplicaFetchResult> refuseFenced(
            int replicaId, List<ReplicaFetchPartition> requests) {
        PartitionError fenced = PartitionError.of(
                ErrorCode.BROKER_FENCED,
                "broker " + replicaId
                        + " is fenced by the controllers; it may fetch again once a heartbeat has unfenced it");
        Map<TopicPartition, ReplicaFetchResult> refused = new LinkedHashMap<>();
        requests.forEach(request -> refused.put(request.tp(), ReplicaFetchResult.failed(fenced)));
        return refused;
    }

    private <R extends PartitionRead> void longPoll(
            DelayedOperations<TopicPartition> waiters,
            FetchParams params,
            List<TopicPartition> keys,
            Supplier<ReadPositions> positions,
            Supplier<Map<TopicPartition, R>> read,
            Consumer<Map<TopicPartition, R>> callback) {
        if (params.maxWaitMs() == 0 || keys.isEmpty()) {
            callback.accept(read.get());
            return;
        }
        ReadPositions before = positions.get();
        Map<TopicPartition, R> now = read.get();
        if (DelayedFetch.satisfies(now, params.minBytes())) {
            callback.accept(now);
            return;
        }
        DelayedFetch.release(now);
        waiters.tryCompleteElseWatch(
                new DelayedFetch<>(params.maxWaitMs(), params.minBytes(), positions, before, read, callback), keys);
    }

    /** Where {@code tps} stand now, as far as a read of them depends on it ({@link ReadPositions}). */
    private ReadPositions readPositions(List<TopicPartition> tps, boolean withHighWatermark) {
        ReadPositions.Builder positions = ReadPositions.builder(tps.size(), withHighWatermark ? 3 : 2);
        for (TopicPartition tp : tps) {
            Partition partition = partitions.get(tp);
            if (partition == null) {
                positions.absent();
            } else {
                partition.addReadPosition(positions, withHighWatermark);
            }
        }
        return positions.build();
    }

    /** Reads one partition within {@code limit} bytes. */
    @FunctionalInterface
    private interface PartitionReader<Q, R> {
        R read(Partition partition, Q request, int limit) throws ReplicationException;
    }

    /**
     * Reads every partition within the byte limits: the first non-empty partition returns at least its
     * first batch; later ones only what fits in what is left of {@code maxBytes}.
     */
    private <Q, R extends PartitionRead> Map<TopicPartition, R> readWithin(
            int maxBytes,
            List<Q> requests,
            Function<Q, TopicPartition> tpOf,
            ToIntFunction<Q> partitionMaxBytes,
            Function<PartitionError, R> failed,
            PartitionReader<Q, R> reader,
            UnaryOperator<R> emptied) {
        Map<TopicPartition, R> result = new LinkedHashMap<>();
        long remaining = maxBytes;
        boolean anyRecords = false;
        for (Q request : requests) {
            TopicPartition tp = tpOf.apply(request);
            Partition partition = partitions.get(tp);
            if (partition == null) {
                result.put(tp, failed.apply(notHosted(tp)));
                continue;
            }
            try {
                int limit = (int) Math.min(Math.max(0, partitionMaxBytes.applyAsInt(request)), Math.max(0, remaining));
                R read = reader.read(partition, request, limit);
                int size = read.records().remaining();
                if (size > 0 && (limit == 0 || (anyRecords && size > remaining))) {
                    read.lease().release();
                    read = emptied.apply(read);
                    size = 0;
                }
                anyRecords |= size > 0;
                remaining -= size;
                result.put(tp, read);
            } catch (ReplicationException e) {
                result.put(tp, failed.apply(e.error()));
            }
        }
        return result;
    }

    private void sendIsrChange(Partition partition, Partition.IsrChange change) {
        CompletableFuture<LeaderAndIsr> sent;
        try {
            sent = env.controller()
                    .alterPartition(change.tp(), change.leaderEpoch(), change.partitionEpoch(), change.newIsr());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((result, error) -> {
            if (error == null) {
                logger.info(
                        "ISR of {} is now {} ({})", change.tp(), result.isr(), change.expand() ? "expanded" : "shrunk");
                if (change.expand()) {
                    env.listener().isrExpanded(change.tp());
                } else {
                    env.listener().isrShrunk(change.tp());
                }
                if (partition.isrChangeAccepted(change, result)) {
                    wake(change.tp());
                }
            } else {
                isrChangeNotAccepted(
                        partition,
                        change,
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
        });
    }

    /**
     * What an ISR change the controller did not accept leaves: a refusal naming the request as invalid (with
     * the leader's epochs current) means it was not made; another refusal means this leader's view is stale,
     * and the metadata that is on its way settles the change (an earlier, unanswered attempt may have made
     * it); no answer at all means it may or may not have been made, so it is sent again with the same epochs.
     * Until settled, the change stays pending and counts for the high watermark.
     */
    private void isrChangeNotAccepted(Partition partition, Partition.IsrChange change, Throwable error) {
        if (error instanceof ReplicationException refused && refused.error().code() == ErrorCode.INVALID_REQUEST) {
            logger.info("ISR change of {} to {} was refused: {}", change.tp(), change.newIsr(), error.getMessage());
            env.timer().schedule(ISR_CHANGE_RETRY_MS, () -> partition.isrChangeRefused(change));
        } else if (error instanceof ReplicationException) {
            logger.info(
                    "ISR change of {} to {} was refused, waiting for metadata: {}",
                    change.tp(),
                    change.newIsr(),
                    error.getMessage());
        } else {
            logger.info(
                    "ISR change of {} to {} was not answered, sending it again: {}",
                    change.tp(),
                    change.newIsr(),
                    error.getMessage());
            env.timer()
                    .schedule(
                            ISR_CHANGE_RETRY_MS,
                            () -> partition
                                    .unansweredIsrChange(change)
                                    .ifPresent(again -> sendIsrChange(partition, again)));
        }
    }

    private void scheduleIsrCheck() {
        env.timer().schedule(Math.max(1, config.replicaLagTimeMaxMs() / 2), () -> {
            if (closed) {
                return;
            }
            try {
                for (Partition partition : partitions.values()) {
                    partition.maybeShrinkIsr().ifPresent(change -> sendIsrChange(partition, change));
                    if (partition.advanceHighWatermark()) {
                        wake(partition.tp());
                    }
                }
            } finally {
                scheduleIsrCheck();
            }
        });
    }

    /**
     * OffsetForLeaderEpoch on the leader; see {@link Partition#endOffsetForEpoch}.
     *
     * @throws ReplicationException NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, STORAGE_ERROR
     */
    public EpochEndOffset endOffsetForEpoch(TopicPartition tp, int currentLeaderEpoch, int epoch)
            throws ReplicationException {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new ReplicationException(notHosted(tp));
        }
        try {
            return partition.endOffsetForEpoch(currentLeaderEpoch, epoch);
        } catch (StorageException e) {
            throw new ReplicationException(ErrorCode.STORAGE_ERROR, "partition " + tp + ": " + e.getMessage());
        }
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
     * DeleteRecords for one partition this broker leads; see {@link Partition#deleteRecordsBefore}.
     *
     * @return the partition's log start offset after the call
     * @throws ReplicationException NOT_LEADER, OFFSET_OUT_OF_RANGE, STORAGE_ERROR
     */
    public long deleteRecordsBefore(TopicPartition tp, long offset) throws ReplicationException {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new ReplicationException(notHosted(tp));
        }
        try {
            return partition.deleteRecordsBefore(offset);
        } catch (StorageException e) {
            throw new ReplicationException(ErrorCode.STORAGE_ERROR, "partition " + tp + ": " + e.getMessage());
        }
    }

    /** acks=all produces and long-poll fetches currently waiting (each counted once per partition). */
    public int waitingRequests() {
        return produceWaiters.watchedCount() + fetchWaiters.watchedCount() + followerFetchWaiters.watchedCount();
    }

    /** Stops the fetchers, then answers every waiting request now from the current state. */
    @Override
    public void close() {
        List<ReplicaFetcher> stopping;
        synchronized (fetchers) {
            closed = true;
            stopping = List.copyOf(fetchers.values());
            fetchers.clear();
        }
        stopping.forEach(ReplicaFetcher::close);
        produceWaiters.completeAll();
        fetchWaiters.completeAll();
        followerFetchWaiters.completeAll();
    }
}
