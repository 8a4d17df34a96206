package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.ExpiredMember;
import io.ferry.group.GroupRecord;
import io.ferry.group.MalformedGroupRecordException;
import io.ferry.group.TopicsImage;
import io.ferry.group.Write;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CorruptBatchException;
import io.ferry.replication.PartitionError;
import io.ferry.storage.Log;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of one {@code __consumer_offsets} partition this broker leads, for one leader epoch: the
 * partition's group state ({@link CoordinatorShard}), loaded from its log when the leadership begins and
 * dropped when it ends. Operations run one at a time on its {@link SerialExecutor}, the only thread that
 * touches the shard. An operation decides without changing the shard; its records are appended to the log
 * as one batch (acks=all), replayed into the shard at once, so the next operation sees them, and the
 * operation is answered once the high watermark has passed them. An append refused outright is replayed
 * nowhere. A read, or a write that needs no records, sees the same state but is answered only once the
 * last write before it is replicated (or fails as that write failed): no answer reveals group state a
 * coordinator failover could still lose, as Kafka reads at the last committed offset. Every {@link #EXPIRY_INTERVAL_MILLIS} the members whose session or rebalance timeout passed are
 * removed the same way.
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
     * @param expiryTopics the topics as every group of a shard sees them (with all their patterns resolved)
     * @param appendTimeoutMillis how long an append waits for the in-sync replicas ({@code request.timeout.ms})
     */
    record Environment(
            CoordinatorLog partitions,
            Executor pool,
            ScheduledExecutorService timer,
            InstantSource clock,
            Function<CoordinatorShard, TopicsImage> expiryTopics,
            long appendTimeoutMillis) {}

    private enum State {
        LOADING,
        ACTIVE,
        /** The log could not be loaded; the partition's groups are unavailable until the leadership moves. */
        FAILED,
        CLOSED
    }

    private final TopicPartition tp;
    private final int leaderEpoch;
    private final Environment env;
    private final SerialExecutor executor;
    /** Touched only on {@link #executor}. */
    private final CoordinatorShard shard;
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

    CoordinatorPartition(TopicPartition tp, int leaderEpoch, CoordinatorShard shard, Environment env) {
        this.tp = tp;
        this.leaderEpoch = leaderEpoch;
        this.shard = shard;
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
        long now = env.clock().millis();
        try {
            write = op.apply(shard, now);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return;
        }
        if (write.records().isEmpty()) {
            answerAfterLastWrite(answer, write.response());
            return;
        }
        Optional<CoordinatorException> refused = append(write.records(), now, answer, write.response());
        if (refused.isPresent()) {
            answer.completeExceptionally(refused.get());
            return;
        }
        write.records().forEach(shard::replay);
    }

    /**
     * Appends {@code records} as one batch, acks=all. The replica manager answers a partition it refuses
     * outright at once, on this thread, before it returns; anything it answers later is about records it
     * appended, which this coordinator has replayed by then.
     *
     * @return the refusal, if the records were not appended
     */
    private <T> Optional<CoordinatorException> append(
            List<GroupRecord> records, long now, CompletableFuture<T> answer, T response) {
        ByteBuffer batch = GroupRecordBatch.of(records, now);
        Thread appending = Thread.currentThread();
        AtomicBoolean inCall = new AtomicBoolean(true);
        AtomicReference<PartitionError> refusedAtOnce = new AtomicReference<>();
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        awaitingReplication.add(answer);
        env.partitions().appendReplicated(tp, batch, env.appendTimeoutMillis(), outcome -> {
            if (inCall.get() && Thread.currentThread() == appending && !outcome.succeeded()) {
                refusedAtOnce.set(outcome.error());
                return;
            }
            // After the replay of these records, which the executor runs first.
            executor.execute(() -> {
                awaitingReplication.remove(answer);
                // This write's answer first, then those that waited for it.
                if (outcome.succeeded()) {
                    answer.complete(response);
                    replicated.complete(null);
                    return;
                }
                CoordinatorException failure = coordinatorError(outcome.error());
                answer.completeExceptionally(failure);
                if (failure.code() == ErrorCode.NOT_COORDINATOR) {
                    replicated.completeExceptionally(failure);
                } else {
                    // Appended but not replicated in time: the records are in the log and the shard, and are
                    // committed once the ISR shrinks to the replicas that have them, or lost with the
                    // leadership, which unloads this coordinator.
                    completeOnceReplicated(env.partitions().logEndOffset(tp), replicated);
                }
            });
        });
        inCall.set(false);
        if (refusedAtOnce.get() != null) {
            awaitingReplication.remove(answer);
            return Optional.of(coordinatorError(refusedAtOnce.get()));
        }
        lastWrite = replicated;
        return Optional.empty();
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
        runWrite((s, now) -> s.expire(env.expiryTopics().apply(s), now), expired);
        expired.whenComplete((members, e) -> {
            if (e != null) {
                log.warn("Removing timed-out members of the groups of {} failed: {}", tp, e.getMessage());
            } else if (!members.isEmpty()) {
                log.info("Removed timed-out members of the groups of {}: {}", tp, members);
            }
        });
    }
}
