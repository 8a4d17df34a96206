package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RecordError;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.record.CorruptBatchException;
import io.ferry.storage.TopicPartition;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Subscribe stream once its start was checked: resolves each partition's start position on its leader, then
 * long-polls the leaders and sends what they answer, decoded, in offset order per partition.
 *
 * <p>Flow control: a read is issued only while the stream {@code isReady()}, at most one per leader is in flight,
 * and each first takes {@code max_bytes} of the broker's fetch answer budget ({@link AnswerRoom}; it keeps what the
 * answer holds until the transport took it), so what the stream holds is bounded by one answer ({@code max_bytes},
 * or one larger batch) per leader and what all streams and fetches hold by the budget; the stream's onReady
 * handler resumes it. Leader changes: a partition whose read fails (a moved leader, a failed
 * call) waits {@link #BACKOFF_MS}, then reads from the leader the metadata view names, at the same next offset.
 *
 * <p>Thread-safe: state is guarded by this object's lock; calls to leaders are made outside it (a local long-poll
 * may answer on the caller's thread, or on a thread of the replica manager that holds its own locks).
 */
final class Subscription {

    /** Wait before asking a partition's leader again after a failed read. */
    static final long BACKOFF_MS = 100;

    /** Kafka's default {@code fetch.max.wait.ms}: how long a leader holds a read that finds nothing. */
    static final long LONG_POLL_MS = 500;

    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    /** Where the stream stands on one partition. Guarded by the subscription. */
    private static final class Cursor {
        final TopicPartition tp;
        final StartPosition start;
        /** The next offset to deliver; -1 until the start position is resolved. */
        long next = -1;
        /** A lookup or read of it is in flight, or it backs off. */
        boolean busy;

        Cursor(TopicPartition tp, StartPosition start) {
            this.tp = tp;
            this.start = start;
        }
    }

    /** Where a partition is read: its leader in the metadata view. */
    interface Leaders {
        PartitionLeader of(TopicPartition tp, PartitionRecord partition);
    }

    private final ServerCallStreamObserver<SubscribeResponse> observer;
    private final SubscriptionPlan plan;
    private final Supplier<BrokerMetadata> metadata;
    private final Leaders leaders;
    private final SubscriptionLoad load;
    private final BrokerMetrics metrics;
    private final AnswerRoom room;
    /** Ends the backoffs; the broker's, so that they stop with it. */
    private final ScheduledExecutorService timer;

    private final Map<TopicPartition, Cursor> cursors = new LinkedHashMap<>();
    /** Leader id → its read in flight (null until the call was made). */
    private final Map<Integer, CompletableFuture<?>> reads = new HashMap<>();

    private final List<CompletableFuture<?>> lookups = new ArrayList<>();
    /** Record bytes of answers handed to gRPC since the stream was last ready. */
    private long unsettled;
    /** What those answers hold of the {@link AnswerRoom} (a batch larger than max_bytes counts max_bytes). */
    private long roomHeld;

    private boolean pumping;
    private boolean ended;
    /** Runs once when the stream ends, whatever ends it. */
    private Runnable whenEnded = () -> {};

    Subscription(
            ServerCallStreamObserver<SubscribeResponse> observer,
            SubscriptionPlan plan,
            Supplier<BrokerMetadata> metadata,
            Leaders leaders,
            SubscriptionLoad load,
            AnswerRoom room,
            BrokerMetrics metrics,
            ScheduledExecutorService timer) {
        this.observer = observer;
        this.plan = plan;
        this.metadata = metadata;
        this.leaders = leaders;
        this.load = load;
        this.metrics = metrics;
        this.room = room;
        this.timer = timer;
        plan.partitions().forEach(p -> cursors.put(p.tp(), new Cursor(p.tp(), p.start())));
        load.opened();
    }

    /**
     * Issues the reads and lookups the stream may make now; called when it starts, when it becomes ready, and after
     * every answer. Re-entrant calls (an answer that completes on the issuing thread) leave the work to the loop
     * already running.
     */
    void pump() {
        synchronized (this) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            List<Runnable> calls;
            synchronized (this) {
                calls = ended ? List.of() : nextCalls();
                if (calls.isEmpty()) {
                    pumping = false;
                    return;
                }
            }
            calls.forEach(this::guarded);
        }
    }

    /** Runs {@code work}; a failure nobody expected ends the stream with INTERNAL instead of stalling it. */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("Subscribe stream on {} failed", plan.topic(), e);
            List<CompletableFuture<?>> inFlight = List.of();
            synchronized (this) {
                if (!ended) {
                    inFlight = close();
                    observer.onError(RecordErrors.asException(RecordErrors.error(
                            ErrorCode.UNKNOWN_SERVER_ERROR, "the broker failed serving this stream", null)));
                }
                pumping = false;
            }
            inFlight.forEach(f -> f.cancel(false));
        }
    }

    /**
     * The client cancelled, or the call ended: stops reading and gives back what the stream holds.
     *
     * @return false if the stream had ended already
     */
    boolean cancel() {
        List<CompletableFuture<?>> inFlight;
        synchronized (this) {
            if (ended) {
                return false;
            }
            inFlight = close();
        }
        inFlight.forEach(f -> f.cancel(false));
        return true;
    }

    /** Runs {@code action} once when the stream ends (at once if it has); it must take no lock. */
    void whenEnded(Runnable action) {
        boolean now;
        synchronized (this) {
            now = ended;
            whenEnded = action;
        }
        if (now) {
            action.run();
        }
    }

    /** Sends a message other than records (a group stream's assignment, a commit's answer) unless the stream ended. */
    synchronized void send(SubscribeResponse message) {
        if (!ended) {
            observer.onNext(message);
        }
    }

    /** Ends the stream with {@code error}, unless it ended already. */
    synchronized void fail(RecordError error) {
        if (!ended) {
            end(error);
        }
    }

    /**
     * Starts delivering partitions the group assigned: each from its committed offset, or, for -1 (none), from the
     * plan's start position. Call {@link #pump} after.
     */
    synchronized void assign(Map<TopicPartition, Long> committed) {
        committed.forEach((tp, offset) -> {
            Cursor c = new Cursor(tp, plan.start());
            c.next = offset;
            cursors.put(tp, c);
        });
    }

    /** Stops delivering partitions the group took away; what a read in flight brings for them is dropped. */
    synchronized void revoke(Set<TopicPartition> partitions) {
        partitions.forEach(cursors::remove);
    }

    /** Guarded by this. */
    private List<Runnable> nextCalls() {
        if (!observer.isReady()) {
            return List.of();
        }
        settle();
        BrokerMetadata view = metadata.get();
        TopicRecord topic = view.topics().get(plan.topic());
        if (topic == null || !topic.getTopicId().equals(plan.topicId())) {
            end(RecordErrors.error(
                    ErrorCode.UNKNOWN_TOPIC,
                    "topic '" + plan.topic() + "' was deleted (and perhaps created again) while subscribed",
                    null));
            return List.of();
        }
        List<Runnable> calls = new ArrayList<>();
        Map<Integer, List<Cursor>> readable = new LinkedHashMap<>();
        Map<Integer, PartitionRecord> ledBy = new HashMap<>();
        for (Cursor c : cursors.values()) {
            if (c.busy) {
                continue;
            }
            Optional<PartitionRecord> partition = view.partition(c.tp.topic(), c.tp.partition());
            if (partition.isEmpty()) {
                end(RecordErrors.error(ErrorCode.UNKNOWN_PARTITION, "partition " + c.tp + " no longer exists", null));
                return List.of();
            }
            int leaderId = partition.get().getLeader();
            if (leaderId < 0) {
                backOff(c);
            } else if (c.next < 0) {
                c.busy = true;
                // Which leader is asked is decided outside this lock: it asks the replica manager's partition.
                calls.add(() -> resolve(c, leaders.of(c.tp, partition.get())));
            } else if (!reads.containsKey(leaderId)) {
                readable.computeIfAbsent(leaderId, id -> new ArrayList<>()).add(c);
                ledBy.put(leaderId, partition.get());
            }
        }
        readable.forEach((leaderId, batch) -> {
            if (!room.tryTake(plan.maxBytes())) {
                // The broker holds all the answers it may: try again shortly rather than wait in the budget.
                batch.forEach(this::backOff);
                return;
            }
            List<PartitionLeader.Position> positions = new ArrayList<>();
            for (Cursor c : batch) {
                c.busy = true;
                positions.add(new PartitionLeader.Position(c.tp, c.next));
            }
            reads.put(leaderId, null);
            TopicPartition first = batch.get(0).tp;
            calls.add(() -> read(leaderId, leaders.of(first, ledBy.get(leaderId)), batch, positions));
        });
        return calls;
    }

    private void read(int leaderId, PartitionLeader leader, List<Cursor> batch, List<PartitionLeader.Position> at) {
        CompletableFuture<Map<TopicPartition, ReadAnswer>> answer;
        try {
            answer = leader.fetch(at, plan.maxBytes(), LONG_POLL_MS);
        } catch (RuntimeException e) {
            // No answer will give the read's room back.
            synchronized (this) {
                reads.remove(leaderId);
                room.release(plan.maxBytes());
            }
            throw e;
        }
        boolean endedMeanwhile;
        synchronized (this) {
            endedMeanwhile = ended;
            if (!ended && reads.containsKey(leaderId) && reads.get(leaderId) == null) {
                reads.put(leaderId, answer);
            }
        }
        if (endedMeanwhile) {
            answer.cancel(false);
        }
        answer.whenComplete((answers, failure) -> guarded(() -> {
            answered(leaderId, batch, answers, failure);
            pump();
        }));
    }

    private synchronized void answered(
            int leaderId, List<Cursor> batch, Map<TopicPartition, ReadAnswer> answers, Throwable failure) {
        reads.remove(leaderId);
        batch.forEach(c -> c.busy = false);
        if (ended || failure != null) {
            room.release(plan.maxBytes());
        }
        if (ended) {
            if (answers != null) {
                answers.values().forEach(a -> a.lease().release());
            }
            return;
        }
        if (failure != null) {
            // The leader is down or moved: ask the metadata view again after a pause.
            batch.forEach(this::backOff);
            return;
        }
        long bytes = 0;
        for (ReadAnswer a : answers.values()) {
            bytes += a.records().remaining();
        }
        unsettled += bytes;
        load.hold(bytes);
        long kept = Math.min(bytes, plan.maxBytes());
        roomHeld += kept;
        room.release(plan.maxBytes() - kept);
        RecordDecoder decoder = new RecordDecoder(plan.maxBytes());
        RecordError fatal = null;
        try {
            for (Map.Entry<TopicPartition, ReadAnswer> entry : answers.entrySet()) {
                Cursor c = cursors.get(entry.getKey());
                if (!batch.contains(c)) {
                    continue; // revoked since the read was issued (and perhaps assigned again, at another offset)
                }
                ReadAnswer a = entry.getValue();
                if (a.error() == ErrorCode.NONE) {
                    c.next = decoder.decode(c.tp.partition(), a.records(), c.next);
                    metrics.bytesOut(c.tp.topic(), a.records().remaining());
                } else if (fatal == null) {
                    fatal = refusal(c, a);
                }
            }
        } catch (CorruptBatchException e) {
            fatal = RecordErrors.error(
                    ErrorCode.CORRUPT_BATCH, "a batch read from the log is corrupt: " + e.getMessage(), null);
        } finally {
            answers.values().forEach(a -> a.lease().release());
        }
        decoder.responses().forEach(observer::onNext);
        if (fatal != null) {
            end(fatal);
        } else if (observer.isReady()) {
            settle();
        }
    }

    /** What a partition's error means for the stream: null when it backs off and retries, else why it ends. */
    private RecordError refusal(Cursor c, ReadAnswer a) {
        if (a.error() == ErrorCode.OFFSET_OUT_OF_RANGE && plan.group().isPresent()) {
            // A committed offset retention has passed: start again where the plan says, as auto.offset.reset.
            log.info(
                    "Group '{}': {} has no offset {} any more ({}); starting at {}",
                    plan.group().get(),
                    c.tp,
                    c.next,
                    a.message(),
                    plan.start());
            c.next = -1;
            return null;
        }
        if (a.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
            return RecordErrors.error(
                    a.error(),
                    "partition " + c.tp.partition() + ": next offset " + c.next
                            + " is no longer in the log (retention or deleted records): " + a.message(),
                    null);
        }
        if (RecordErrors.retriable(a.error())) {
            backOff(c);
            return null;
        }
        return RecordErrors.error(a.error(), "partition " + c.tp.partition() + ": " + a.message(), null);
    }

    private void resolve(Cursor c, PartitionLeader leader) {
        CompletableFuture<Long> offset = startOffset(c, leader);
        synchronized (this) {
            lookups.add(offset);
        }
        offset.whenComplete((next, failure) -> guarded(() -> {
            resolved(c, offset, next, failure);
            pump();
        }));
    }

    private CompletableFuture<Long> startOffset(Cursor c, PartitionLeader leader) {
        StartPosition start = c.start;
        return switch (start.getPositionCase()) {
            case OFFSET ->
                leader.listOffset(c.tp, -2)
                        .thenCompose(logStart -> leader.listOffset(c.tp, -1).thenCompose(logEnd -> {
                            if (start.getOffset() < logStart || start.getOffset() > logEnd) {
                                return CompletableFuture.failedFuture(new SubscribeRefusal(
                                        ErrorCode.OFFSET_OUT_OF_RANGE,
                                        "partition " + c.tp.partition() + ": offset " + start.getOffset()
                                                + " is outside the log [" + logStart + ", " + logEnd + "]"));
                            }
                            return CompletableFuture.completedFuture(start.getOffset());
                        }));
            case TIMESTAMP_MS ->
                leader.listOffset(c.tp, start.getTimestampMs())
                        .thenCompose(found ->
                                found >= 0 ? CompletableFuture.completedFuture(found) : leader.listOffset(c.tp, -1));
            case BOUNDARY ->
                leader.listOffset(c.tp, start.getBoundary() == StartPosition.Boundary.BOUNDARY_EARLIEST ? -2 : -1);
            case POSITION_NOT_SET -> leader.listOffset(c.tp, -1);
        };
    }

    private synchronized void resolved(Cursor c, CompletableFuture<Long> lookup, Long next, Throwable failure) {
        lookups.remove(lookup);
        c.busy = false;
        if (ended) {
            return;
        }
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause == null) {
            c.next = next;
        } else if (cause instanceof SubscribeRefusal refusal
                && !RecordErrors.retriable(refusal.error().getCode())) {
            end(refusal.error());
        } else {
            backOff(c);
        }
    }

    /**
     * The transport took what was handed to it: gives back the answers' bytes. Guarded by this (giving back runs
     * the grants of fetches waiting for room, which never take this lock).
     */
    private void settle() {
        load.release(unsettled);
        unsettled = 0;
        room.release(roomHeld);
        roomHeld = 0;
    }

    /** Guarded by this. */
    private void backOff(Cursor c) {
        c.busy = true;
        timer.schedule(
                () -> {
                    synchronized (this) {
                        c.busy = false;
                    }
                    pump();
                },
                BACKOFF_MS,
                TimeUnit.MILLISECONDS);
    }

    /** Ends the stream with {@code error}. Guarded by this. */
    private void end(RecordError error) {
        List<CompletableFuture<?>> inFlight = close();
        observer.onError(RecordErrors.asException(error));
        // Cancelling completes the futures on this thread; their handlers see the stream ended.
        inFlight.forEach(f -> f.cancel(false));
    }

    /** Marks the stream ended and gives back what it holds; returns the calls to cancel. Guarded by this. */
    private List<CompletableFuture<?>> close() {
        ended = true;
        whenEnded.run();
        settle();
        load.closed();
        List<CompletableFuture<?>> inFlight = new ArrayList<>(lookups);
        reads.values().stream().filter(f -> f != null).forEach(inFlight::add);
        return inFlight;
    }
}
