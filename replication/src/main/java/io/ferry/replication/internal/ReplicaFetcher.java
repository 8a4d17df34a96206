package io.ferry.replication.internal;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.FetchParams;
import io.ferry.replication.LatencyStage;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationException;
import io.ferry.replication.Timer;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls every partition this broker follows on one leader broker: one ReplicaFetch request for all of
 * them, each answer applied to its partition (append, truncate at a divergence, take the high watermark),
 * then the next request at once. The leader long-polls, so an idle fetcher sends one request per
 * {@code replica.fetch.wait.max.ms}. After a failed request or a refused partition it backs off
 * {@code replica.fetch.backoff.ms} on the shared {@link Timer}; a change of the followed partitions ends
 * the backoff early. When a log's flush policy asks for an fsync after an append, the next request waits
 * until it is done, since the next request tells the leader this log's end.
 *
 * <p>The fetcher has no thread and no clock of its own. Each step (send a request, apply its answer, end a
 * backoff) is a task on its serial executor, started by {@link #follow}, by the answer's arrival or by the
 * timer. Only those tasks touch the step state, one at a time, so it needs no lock; and with a
 * deterministic executor and timer, a simulation drives the whole fetch path.
 *
 * <p>Thread-safe: {@link #follow}, {@link #unfollow} and {@link #close} come from the metadata thread,
 * answers from the client's threads.
 */
public final class ReplicaFetcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);

    /** How long {@link #close} waits for the step in progress (an answer being written to the logs). */
    private static final long CLOSE_WAIT_SECONDS = 5;

    /** A partition this fetcher pulls, at the leader epoch it follows. */
    private record Followed(Partition partition, int leaderEpoch) {}

    /** Where the fetcher is between two steps. */
    private enum State {
        /** No request and no backoff: the next change of the followed set starts a request. */
        IDLE,
        /** A request is with the leader; its answer is the next step. */
        FETCHING,
        /** The answer is appended; the fsyncs its appends asked for end the step before the next request. */
        AWAITING_FLUSH,
        /** Waiting for the timer to end the backoff, or for a change of the followed set. */
        BACKING_OFF
    }

    private final int leaderId;
    private final int localBrokerId;
    private final LeaderClient client;
    private final ReplicationConfig config;
    private final Timer timer;
    private final ExecutorService executor;
    private final Map<TopicPartition, Followed> followed = new ConcurrentHashMap<>();
    /** Confined to the executor's tasks. */
    private State state = State.IDLE;
    /** Numbers the backoffs, so that the end of one a change already cut short is ignored. Confined to the tasks. */
    private long backoffs;

    /**
     * Set when a partition joins or changes epoch, cleared when a request takes the followed set: a request in
     * flight does not name the change, and the next request is full (see {@link LeaderClient#fetch}).
     */
    private final AtomicBoolean changedSinceRequest = new AtomicBoolean();
    /** The request in flight was cancelled to be sent again with the followed set now. Confined to the tasks. */
    private boolean restarting;
    /**
     * The fetcher went idle (no partition to fetch) since its last request: the next one is full, as after a
     * change of the followed set, since a partition back from offline may have its old position. Confined to the
     * tasks.
     */
    private boolean idledSinceRequest;

    private volatile Timer.Timeout backoff;
    /** The request in flight, or the flushes awaited before the next one; cancelled by {@link #close}. */
    private volatile CompletableFuture<?> inFlight;

    private volatile boolean closed;

    /**
     * @param executor runs the fetcher's steps one at a time (see {@link io.ferry.replication.FetcherExecutors});
     *                 the fetcher owns it and shuts it down on {@link #close}
     */
    public ReplicaFetcher(
            int leaderId,
            int localBrokerId,
            LeaderClient client,
            ReplicationConfig config,
            Timer timer,
            ExecutorService executor) {
        this.leaderId = leaderId;
        this.localBrokerId = localBrokerId;
        this.client = client;
        this.config = config;
        this.timer = timer;
        this.executor = executor;
    }

    /** Pulls {@code partition} from now on, at {@code leaderEpoch} (replacing an older epoch). */
    public void follow(Partition partition, int leaderEpoch) {
        Followed before = followed.get(partition.tp());
        if (before != null && before.partition() == partition && before.leaderEpoch() == leaderEpoch) {
            // Only the ISR changed: a request in flight stays valid and a backoff runs its course. An idle
            // fetcher starts again, since the partition may be back from offline at the same epoch.
            step(this::fetchIfIdle);
            return;
        }
        followed.put(partition.tp(), new Followed(partition, leaderEpoch));
        changedSinceRequest.set(true);
        step(this::fetchUnlessInFlight);
    }

    /**
     * Sends the request in flight again if partitions joined or changed epoch since it was sent: the leader
     * holds an idle request up to {@code replica.fetch.wait.max.ms}, and data for a partition it does not name
     * does not end the wait. After a failover, the new leaders' first records waited that long before their
     * followers asked for them. Called once per metadata view, after every {@link #follow} of it, so a view
     * that adds thousands of partitions restarts the request once.
     */
    public void resendIfChanged() {
        if (changedSinceRequest.get()) {
            step(this::restartRequest);
        }
    }

    private void restartRequest() {
        CompletableFuture<?> request = inFlight;
        if (state == State.FETCHING && !restarting && request != null && changedSinceRequest.get()) {
            restarting = true;
            request.cancel(true); // its completion runs answered(), which sends the next request at once
        }
    }

    /** @return whether the partition was followed here */
    public boolean unfollow(TopicPartition tp) {
        return followed.remove(tp) != null;
    }

    /** Whether this fetcher follows no partition (and may be closed). */
    public boolean isIdle() {
        return followed.isEmpty();
    }

    /**
     * Runs {@code action} as a step on the executor. An exception other than an {@link Error} ends the step
     * in a backoff; an Error goes to the executor (in the broker, it ends the process).
     */
    private void step(Runnable action) {
        if (closed) {
            return;
        }
        try {
            executor.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn(
                            "Replica fetcher for leader {} failed; retrying after {} ms",
                            leaderId,
                            config.fetchBackoffMs(),
                            e);
                    backOff();
                }
            });
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    private void fetchIfIdle() {
        if (state == State.IDLE) {
            fetch();
        }
    }

    private void fetchUnlessInFlight() {
        if (state == State.IDLE || state == State.BACKING_OFF) {
            cancelBackoff();
            fetch();
        }
    }

    /** Sends one request with the position of every followed partition, or goes idle if there is none. */
    private void fetch() {
        boolean fullRequest = changedSinceRequest.getAndSet(false) || idledSinceRequest;
        // A snapshot in the map's order (no Map.copyOf: its iteration order changes from one JVM to the next).
        Map<TopicPartition, Followed> round = new LinkedHashMap<>(followed);
        List<ReplicaFetchPartition> positions = new ArrayList<>();
        for (Followed f : round.values()) {
            f.partition()
                    .fetchPosition(f.leaderEpoch(), config.partitionFetchMaxBytes())
                    .ifPresent(positions::add);
        }
        if (positions.isEmpty()) {
            state = State.IDLE;
            idledSinceRequest = true;
            return;
        }
        idledSinceRequest = false;
        state = State.FETCHING;
        CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> request;
        try {
            request = client.fetch(
                    leaderId,
                    localBrokerId,
                    new FetchParams(config.fetchMaxWaitMs(), config.fetchMinBytes(), config.fetchMaxBytes()),
                    positions,
                    fullRequest,
                    config.requestTimeoutMs());
        } catch (RuntimeException e) {
            request = CompletableFuture.failedFuture(e);
        }
        inFlight = request;
        if (closed) {
            request.cancel(true);
        }
        if (LatencyStage.enabled()) {
            for (ReplicaFetchPartition position : positions) {
                LatencyStage.FOLLOWER_FETCH_SENT.mark(position.tp(), position.fetchOffset() - 1, localBrokerId);
            }
        }
        request.whenComplete((answers, error) -> {
            markReceived(answers);
            step(() -> answered(round, positions, answers, error));
        });
    }

    private void markReceived(Map<TopicPartition, ReplicaFetchResult> answers) {
        if (answers != null && LatencyStage.enabled()) {
            answers.forEach((tp, answer) -> {
                if (answer.records().hasRemaining()) {
                    LatencyStage.FOLLOWER_RECEIVED.mark(tp, answer.logEndOffset() - 1, localBrokerId);
                }
            });
        }
    }

    /** The leader answered (or the request failed): applies the answers, then fetches again or backs off. */
    private void answered(
            Map<TopicPartition, Followed> round,
            List<ReplicaFetchPartition> positions,
            Map<TopicPartition, ReplicaFetchResult> answers,
            Throwable error) {
        inFlight = null;
        boolean restart = restarting;
        restarting = false;
        if (error != null && restart) {
            fetch();
        } else if (error != null) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            log.debug("Fetch from leader {} failed: {}", leaderId, cause.getMessage());
            backOff();
        } else {
            List<CompletableFuture<Void>> flushes = new ArrayList<>();
            boolean refused = applyAll(round, positions, answers, flushes);
            CompletableFuture<Void> all = CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new));
            if (all.isDone()) {
                fetchOrBackOff(refused);
            } else {
                state = State.AWAITING_FLUSH;
                inFlight = all;
                if (closed) {
                    all.cancel(true);
                }
                all.whenComplete((done, flushError) -> step(() -> flushed(refused, flushError)));
            }
        }
    }

    /** The flushes of the last answer ended; a failed one took its partition offline (the log reported it). */
    private void flushed(boolean refused, Throwable error) {
        inFlight = null;
        if (error != null) {
            log.debug("A flush after fetching from leader {} failed: {}", leaderId, error.getMessage());
        }
        fetchOrBackOff(refused);
    }

    private void fetchOrBackOff(boolean refused) {
        if (refused) {
            backOff();
        } else {
            fetch();
        }
    }

    /**
     * Applies each answer to its partition, adding to {@code flushes} the fsyncs the appends asked for, and
     * releases every answer's buffer once appended (written, not necessarily flushed).
     *
     * @return whether the leader refused a partition (or its batches could not be appended)
     */
    private boolean applyAll(
            Map<TopicPartition, Followed> round,
            List<ReplicaFetchPartition> positions,
            Map<TopicPartition, ReplicaFetchResult> answers,
            List<CompletableFuture<Void>> flushes) {
        boolean refused = false;
        Set<TopicPartition> asked = new HashSet<>();
        Map<ErrorCode, List<TopicPartition>> failed = new EnumMap<>(ErrorCode.class);
        Map<ErrorCode, String> failures = new EnumMap<>(ErrorCode.class);
        for (ReplicaFetchPartition position : positions) {
            asked.add(position.tp());
            ReplicaFetchResult answer = answers.get(position.tp());
            Followed f = round.get(position.tp());
            if (answer == null) {
                continue;
            }
            if (followed.get(position.tp()) != f) {
                answer.lease().release();
                continue;
            }
            try {
                boolean withRecords = answer.records().hasRemaining();
                flushes.add(f.partition().applyLeaderAnswer(position, answer));
                if (withRecords) {
                    LatencyStage.FOLLOWER_APPENDED.mark(position.tp(), answer.logEndOffset() - 1, localBrokerId);
                }
            } catch (ReplicationException e) {
                refused = true;
                // A leader that has not yet applied the metadata naming it is normal during a leader change, and
                // so is a refusal while this broker is fenced (between registering and its first heartbeat).
                boolean expected = e.error().code() == ErrorCode.UNKNOWN_LEADER_EPOCH
                        || e.error().code() == ErrorCode.NOT_LEADER
                        || e.error().code() == ErrorCode.FENCED_LEADER_EPOCH
                        || e.error().code() == ErrorCode.BROKER_FENCED;
                if (expected) {
                    log.debug("Leader {} refused {}: {}", leaderId, position.tp(), e.getMessage());
                } else {
                    failed.computeIfAbsent(e.error().code(), c -> new ArrayList<>())
                            .add(position.tp());
                    failures.putIfAbsent(e.error().code(), e.getMessage());
                }
            } finally {
                answer.lease().release();
            }
        }
        // One line per error and round, not per partition: a leader that fails thousands of partitions
        // alike (a topic it does not know yet) would otherwise write thousands of lines every backoff.
        failed.forEach((code, tps) -> log.warn(
                "Fetching {} from leader {} failed: {}",
                tps.size() == 1 ? tps.get(0) : tps.size() + " partitions (" + tps.get(0) + " first)",
                leaderId,
                failures.get(code)));
        // A partition the request did not name is not appended, but its buffer still goes back.
        answers.forEach((tp, answer) -> {
            if (!asked.contains(tp)) {
                answer.lease().release();
            }
        });
        return refused;
    }

    private void backOff() {
        state = State.BACKING_OFF;
        long number = ++backoffs;
        backoff = timer.schedule(config.fetchBackoffMs(), () -> step(() -> backoffEnded(number)));
    }

    private void backoffEnded(long number) {
        if (state == State.BACKING_OFF && number == backoffs) {
            fetch();
        }
    }

    private void cancelBackoff() {
        Timer.Timeout t = backoff;
        if (t != null) {
            t.cancel();
        }
    }

    /**
     * Stops fetching and waits for the step in progress: the request in flight is cancelled, an answer being
     * applied is finished. The executor is shut down, never interrupted, since an interrupt during a log write
     * closes the log's file channel.
     */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> request = inFlight;
        if (request != null) {
            request.cancel(true);
        }
        cancelBackoff();
        executor.shutdown();
        try {
            executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
