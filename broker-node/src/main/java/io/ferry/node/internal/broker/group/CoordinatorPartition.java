package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.ExpiredMember;
import io.ferry.group.GroupRecord;
import io.ferry.group.MalformedGroupRecordException;
import io.ferry.group.Write;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CorruptBatchException;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ProduceOutcome;
import io.ferry.storage.Log;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of one {@code __consumer_offsets} partition this broker leads, for one leader epoch: the
 * partition's group state ({@link CoordinatorShard}), loaded from its log when the leadership begins and
 * dropped when it ends. Operations run one at a time on its {@link SerialExecutor}, the only thread that
 * touches the shard. An operation decides without changing the shard; its records are replayed into the
 * shard at once, so the next operation sees them, and the operation is answered once the high watermark has
 * passed them (acks=all).
 *
 * <p>Records are appended in batches, as Kafka's coordinator runtime does with its adaptive linger: while
 * an append waits for its outcome, the records of the writes that come meanwhile gather into the next one,
 * which is appended when that outcome arrives (or when it is as large as a batch may be). Under load a
 * replication round trip carries the writes of many requests; a lone write is appended at once. Because
 * records are replayed before they are appended, an append the partition refuses outright leaves the shard
 * ahead of the log: every write of the batch fails, and the coordinator loads the partition again from its
 * log.
 *
 * <p>A read, or a write that needs no records, sees the same state but is answered only once the last write
 * before it is replicated (or fails as that write failed): no answer reveals group state a coordinator
 * failover could still lose, as Kafka reads at the last committed offset. Every
 * {@link #EXPIRY_INTERVAL_MILLIS} the members whose session or rebalance timeout passed are removed the same
 * way.
 *
 * <p>Thread-safe: callers hand operations over; the state is read by any thread.
 */
final class CoordinatorPartition {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorPartition.class);

    /** How often timed-out members are looked for, as Kafka's coordinator checks its timers. */
    static final long EXPIRY_INTERVAL_MILLIS = 1_000;

    /**
     * How often the coordinator looks at the high watermark while it waits for records it did not see
     * replicated in an append's answer: those it loaded, and those of an append that timed out.
     */
    static final long COMMITTED_CHECK_MILLIS = 20;

    /**
     * What the coordinators of a broker share.
     *
     * @param partitions the {@code __consumer_offsets} partitions on this broker: logs, appends, high watermarks
     * @param pool runs every coordinator's operations, each coordinator's one at a time
     * @param timer times expiry and load checks; hands the work to the coordinator's executor
     * @param groupTopics the topics as a group of a shard sees them in an expiry pass (its patterns resolved),
     *     told of the members the pass removes
     * @param appendTimeoutMillis how long an append waits for the in-sync replicas ({@code request.timeout.ms})
     */
    record Environment(
            CoordinatorLog partitions,
            Executor pool,
            ScheduledExecutorService timer,
            InstantSource clock,
            GroupTopics groupTopics,
            long appendTimeoutMillis) {}

    private enum State {
        LOADING,
        ACTIVE,
        /** The log could not be loaded; the partition's groups are unavailable until the leadership moves. */
        FAILED,
        CLOSED
    }

    /** Answers a write's caller once its records are replicated. */
    private record Waiting<T>(CompletableFuture<T> answer, T response) {
        void succeed() {
            answer.complete(response);
        }

        void fail(Throwable failure) {
            answer.completeExceptionally(failure);
        }
    }

    /** Records replayed into the shard and not yet appended, with the writes that wait for them. */
    private static final class PendingBatch {
        final List<GroupRecord> records = new ArrayList<>();
        final List<Waiting<?>> writes = new ArrayList<>();
        /** Completes once the batch is replicated; reads and writes without records after it wait for it. */
        final CompletableFuture<Void> replicated = new CompletableFuture<>();
        /** What the records add to a batch at most ({@link GroupRecordBatch#sizeBound}). */
        long recordBytes;
        /** Whether a task to append it is queued on the executor. */
        boolean appendQueued;
    }

    private final TopicPartition tp;
    private final int leaderEpoch;
    private final Environment env;
    private final SerialExecutor executor;
    private final Supplier<CoordinatorShard> newShard;
    /** Touched only on {@link #executor}; replaced by an empty one to load the partition again. */
    private CoordinatorShard shard;
    /** Touched only on {@link #executor}; null when every replayed record is appended. */
    private PendingBatch pending;
    /** Appends whose outcome has not reached the executor yet. Touched only on {@link #executor}. */
    private int appendsInFlight;
    /** Answers waiting for the high watermark: failed with NOT_COORDINATOR when the leadership ends. */
    private final Set<CompletableFuture<?>> awaitingReplication = ConcurrentHashMap.newKeySet();

    /**
     * Completes when the last append so far is replicated, or fails as it failed; touched only on
     * {@link #executor}. Reads and writes without records answer after it.
     */
    private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

    private volatile State state = State.LOADING;
    private volatile String failure = "";
    private volatile ScheduledFuture<?> expiry;

    /** @param newShard the empty group state the partition's log is loaded into */
    CoordinatorPartition(TopicPartition tp, int leaderEpoch, Supplier<CoordinatorShard> newShard, Environment env) {
        this.tp = tp;
        this.leaderEpoch = leaderEpoch;
        this.newShard = newShard;
        this.shard = newShard.get();
        this.env = env;
        this.executor = new SerialExecutor(env.pool(), "the coordinator of " + tp);
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    /** Starts loading the partition's groups from its log; operations meanwhile are COORDINATOR_LOAD_IN_PROGRESS. */
    void load() {
        executor.execute(this::loadNow);
    }

    /** Runs {@code op} on the shard and answers once its records are replicated. */
    <T> CompletableFuture<T> write(ShardWrite<T> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        executor.execute(() -> {
            if (admitted(answer)) {
                runWrite(op, answer);
            }
        });
        return answer;
    }

    /**
     * Runs {@code op} on the shard, a read of what the operations before it left, answered once their
     * records are replicated.
     */
    <T> CompletableFuture<T> read(Function<CoordinatorShard, T> op) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        executor.execute(() -> {
            if (admitted(answer)) {
                T value;
                try {
                    value = op.apply(shard);
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                    return;
                }
                answerAfterLastWrite(answer, value);
            }
        });
        return answer;
    }

    /**
     * Answers {@code value}, computed from the shard as it is now, once every record the shard holds is
     * replicated: at once if the last write is, else when it is (or with its failure). On the executor.
     */
    private <T> void answerAfterLastWrite(CompletableFuture<T> answer, T value) {
        if (lastWrite.isDone() && !lastWrite.isCompletedExceptionally()) {
            answer.complete(value);
            return;
        }
        awaitingReplication.add(answer);
        lastWrite.whenComplete((done, failure) -> {
            awaitingReplication.remove(answer);
            if (failure == null) {
                answer.complete(value);
            } else {
                answer.completeExceptionally(failure);
            }
        });
    }

    /**
     * Ends this coordinator: the leadership moved (or the broker stops). Operations not yet run, and answers
     * waiting for replication, fail with NOT_COORDINATOR; the shard is dropped, and the next leader loads the
     * partition from its log.
     */
    void unload() {
        state = State.CLOSED;
        ScheduledFuture<?> timer = expiry;
        if (timer != null) {
            timer.cancel(false);
        }
        CoordinatorException moved = notCoordinator();
        awaitingReplication.forEach(answer -> answer.completeExceptionally(moved));
        awaitingReplication.clear();
    }

    private boolean admitted(CompletableFuture<?> answer) {
        CoordinatorException refusal = switch (state) {
            case ACTIVE -> null;
            case LOADING ->
                new CoordinatorException(
                        ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
                        "the coordinator is loading the groups of " + tp + "; retry soon");
            case FAILED ->
                new CoordinatorException(
                        ErrorCode.COORDINATOR_NOT_AVAILABLE,
                        "the coordinator could not load the groups of " + tp + ": " + failure);
            case CLOSED -> notCoordinator();
        };
        if (refusal != null) {
            answer.completeExceptionally(refusal);
        }
        return refusal == null;
    }

    private CoordinatorException notCoordinator() {
        return new CoordinatorException(
                ErrorCode.NOT_COORDINATOR,
                "this broker no longer leads " + tp + " (leader epoch " + leaderEpoch
                        + "); find the coordinator again");
    }

    /** On the executor. */
    private <T> void runWrite(ShardWrite<T> op, CompletableFuture<T> answer) {
        Write<T> write;
        try {
            write = op.apply(shard, env.clock().millis());
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return;
        }
        if (write.records().isEmpty()) {
            answerAfterLastWrite(answer, write.response());
            return;
        }
        long recordBytes = GroupRecordBatch.sizeBound(write.records());
        long maxBatchBytes = env.partitions().maxBatchBytes(tp);
        if (GroupRecordBatch.batchBound(recordBytes) > maxBatchBytes) {
            // Refused before it is replayed: it could never be appended, and the writes batched with it would fail.
            answer.completeExceptionally(coordinatorError(PartitionError.of(
                    ErrorCode.BATCH_TOO_LARGE,
                    "the records of this operation take up to " + GroupRecordBatch.batchBound(recordBytes)
                            + " bytes, more than the " + maxBatchBytes + " bytes of max.message.bytes")));
            return;
        }
        if (pending != null && GroupRecordBatch.batchBound(pending.recordBytes + recordBytes) > maxBatchBytes) {
            appendPending();
            if (!admitted(answer)) {
                // That append was refused, and the shard this write decided on is being loaded again.
                return;
            }
        }
        if (pending == null) {
            pending = new PendingBatch();
            lastWrite = pending.replicated;
        }
        pending.records.addAll(write.records());
        pending.writes.add(new Waiting<>(answer, write.response()));
        pending.recordBytes += recordBytes;
        awaitingReplication.add(answer);
        write.records().forEach(shard::replay);
        if (appendsInFlight == 0) {
            queueAppend();
        }
    }

    /**
     * Appends the pending batch after the operations queued now, so that those join it. On the executor.
     */
    private void queueAppend() {
        if (pending != null && !pending.appendQueued) {
            pending.appendQueued = true;
            executor.execute(this::appendPending);
        }
    }

    /**
     * Appends the pending batch, acks=all. The replica manager answers a partition it refuses outright at
     * once, on this thread, before it returns; anything it answers later is about records it appended. On
     * the executor.
     */
    private void appendPending() {
        PendingBatch batch = pending;
        if (batch == null || state != State.ACTIVE) {
            return;
        }
        pending = null;
        ByteBuffer records = GroupRecordBatch.of(batch.records, env.clock().millis());
        Thread appending = Thread.currentThread();
        AtomicBoolean inCall = new AtomicBoolean(true);
        AtomicReference<PartitionError> refusedAtOnce = new AtomicReference<>();
        appendsInFlight++;
        env.partitions().appendReplicated(tp, records, env.appendTimeoutMillis(), outcome -> {
            if (inCall.get() && Thread.currentThread() == appending && !outcome.succeeded()) {
                refusedAtOnce.set(outcome.error());
                return;
            }
            executor.execute(() -> appended(batch, outcome));
        });
        inCall.set(false);
        if (refusedAtOnce.get() != null) {
            appendsInFlight--;
            CoordinatorException failure = coordinatorError(refusedAtOnce.get());
            answerBatch(batch, failure);
            batch.replicated.completeExceptionally(failure);
            reload(failure);
        }
    }

    /** The outcome of a batch's append arrived. On the executor. */
    private void appended(PendingBatch batch, ProduceOutcome outcome) {
        appendsInFlight--;
        if (outcome.succeeded()) {
            // The writes' answers first, then those that waited for them.
            answerBatch(batch, null);
            batch.replicated.complete(null);
        } else {
            CoordinatorException failure = coordinatorError(outcome.error());
            answerBatch(batch, failure);
            if (failure.code() == ErrorCode.NOT_COORDINATOR) {
                batch.replicated.completeExceptionally(failure);
            } else {
                // Appended but not replicated in time: the records are in the log and the shard, and are
                // committed once the ISR shrinks to the replicas that have them, or lost with the leadership,
                // which unloads this coordinator.
                completeOnceReplicated(env.partitions().logEndOffset(tp), batch.replicated);
            }
        }
        if (appendsInFlight == 0) {
            queueAppend();
        }
    }

    /** Answers every write of {@code batch}: with its response, or with {@code failure} if not null. */
    private void answerBatch(PendingBatch batch, CoordinatorException failure) {
        for (Waiting<?> write : batch.writes) {
            awaitingReplication.remove(write.answer());
            if (failure == null) {
                write.succeed();
            } else {
                write.fail(failure);
            }
        }
    }

    /**
     * Loads the partition again, into an empty shard, after an append refused outright left the shard with
     * records the log does not have. Operations meanwhile are COORDINATOR_LOAD_IN_PROGRESS, as at the
     * start. On the executor.
     */
    private void reload(CoordinatorException refusal) {
        if (state != State.ACTIVE) {
            return;
        }
        log.warn(
                "Appending group records to {} was refused ({}); loading its groups from the log again",
                tp,
                refusal.getMessage());
        state = State.LOADING;
        ScheduledFuture<?> timer = expiry;
        if (timer != null) {
            timer.cancel(false);
        }
        shard = newShard.get();
        lastWrite = CompletableFuture.completedFuture(null);
        loadNow();
    }

    /** Completes {@code replicated} once the high watermark reaches {@code end}. On the executor. */
    private void completeOnceReplicated(long end, CompletableFuture<Void> replicated) {
        if (state == State.CLOSED) {
            replicated.completeExceptionally(notCoordinator());
        } else if (env.partitions().highWatermark(tp) >= end) {
            replicated.complete(null);
        } else {
            env.timer()
                    .schedule(
                            () -> executor.execute(() -> completeOnceReplicated(end, replicated)),
                            COMMITTED_CHECK_MILLIS,
                            TimeUnit.MILLISECONDS);
        }
    }

    /** An append's failure as the coordinator's client sees it (Kafka's {@code normalizeException}). */
    private CoordinatorException coordinatorError(PartitionError error) {
        ErrorCode code = switch (error.code()) {
            case NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, STORAGE_ERROR -> ErrorCode.NOT_COORDINATOR;
            case NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, UNKNOWN_TOPIC, UNKNOWN_PARTITION ->
                ErrorCode.COORDINATOR_NOT_AVAILABLE;
            // Kafka answers an offset commit too large to append the same way.
            case BATCH_TOO_LARGE -> ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
            default -> ErrorCode.UNKNOWN_SERVER_ERROR;
        };
        return new CoordinatorException(code, "writing the groups' records to " + tp + " failed: " + error.message());
    }

    /** On the executor. */
    private void loadNow() {
        if (state != State.LOADING) {
            return;
        }
        long start = env.clock().millis();
        try {
            Log partitionLog = env.partitions()
                    .log(tp)
                    .orElseThrow(() -> new IllegalStateException("this broker has no log of " + tp));
            long[] malformed = new long[1];
            GroupLogReader.Loaded loaded = GroupLogReader.replay(partitionLog, record -> {
                try {
                    shard.replay(record);
                } catch (MalformedGroupRecordException e) {
                    if (malformed[0]++ == 0) {
                        log.warn("Skipping a record of {} that is no group record: {}", tp, e.getMessage());
                    }
                }
            });
            shard.loaded(env.clock().millis());
            log.info(
                    "Loaded {} group records of {} (up to offset {}, leader epoch {}) in {} ms; skipped {} without a"
                            + " key and {} malformed",
                    loaded.records(),
                    tp,
                    loaded.endOffset(),
                    leaderEpoch,
                    env.clock().millis() - start,
                    loaded.skipped(),
                    malformed[0]);
            activateOnceCommitted(loaded.endOffset());
        } catch (CorruptBatchException | OffsetOutOfRangeException | RuntimeException e) {
            failure = e.getMessage();
            state = State.FAILED;
            log.error("Loading the groups of {} failed; they are unavailable until its leadership moves", tp, e);
        }
    }

    /**
     * Serves operations once the high watermark reaches the end of what was loaded: a new leader's log may
     * hold records its followers do not have yet, and nothing should be answered from them before they are
     * replicated. On the executor.
     */
    private void activateOnceCommitted(long loadedEnd) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        committed.thenRun(this::activate);
        completeOnceReplicated(loadedEnd, committed);
    }

    /** On the executor. */
    private void activate() {
        if (state != State.LOADING) {
            return;
        }
        state = State.ACTIVE;
        expiry = env.timer()
                .scheduleWithFixedDelay(
                        () -> executor.execute(this::expireMembers),
                        EXPIRY_INTERVAL_MILLIS,
                        EXPIRY_INTERVAL_MILLIS,
                        TimeUnit.MILLISECONDS);
        if (state == State.CLOSED) {
            expiry.cancel(false);
        }
    }

    /** On the executor. */
    private void expireMembers() {
        if (state != State.ACTIVE) {
            return;
        }
        CompletableFuture<List<ExpiredMember>> expired = new CompletableFuture<>();
        runWrite(
                (s, now) -> {
                    Write<List<ExpiredMember>> removal =
                            s.expire(groupId -> env.groupTopics().forExpiry(s, groupId), now);
                    env.groupTopics().removed(removal.response());
                    return removal;
                },
                expired);
        expired.whenComplete((members, e) -> {
            if (e != null) {
                log.warn("Removing timed-out members of the groups of {} failed: {}", tp, e.getMessage());
            } else if (!members.isEmpty()) {
                log.info("Removed timed-out members of the groups of {}: {}", tp, members);
            }
        });
    }
}
