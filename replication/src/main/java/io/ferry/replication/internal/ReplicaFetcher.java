package io.ferry.replication.internal;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.FetchParams;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that pulls every partition this broker follows on one leader broker: one ReplicaFetch
 * request for all of them, each answer applied to its partition (append, truncate at a divergence, take
 * the high watermark), then the next request at once. The leader long-polls, so an idle fetcher sends
 * one request per {@code replica.fetch.wait.max.ms}. After a failed request or a refused partition it
 * backs off {@code replica.fetch.backoff.ms}. When a log's flush policy asks for an fsync after an
 * append, the next request waits until it is done (the next request tells the leader this log's end).
 *
 * <p>Thread-safe: {@link #follow} and {@link #unfollow} come from the metadata thread; the fetch loop
 * reads the followed set each round.
 */
public final class ReplicaFetcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);

    /** A partition this fetcher pulls, at the leader epoch it follows. */
    private record Followed(Partition partition, int leaderEpoch) {
    }

    private final int leaderId;
    private final int localBrokerId;
    private final LeaderClient client;
    private final ReplicationConfig config;
    private final Map<TopicPartition, Followed> followed = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    /** The request in flight, or the flushes waited for before the next one; cancelled by {@link #close}. */
    private volatile CompletableFuture<?> inFlight;

    private ReplicaFetcher(int leaderId, int localBrokerId, LeaderClient client, ReplicationConfig config,
                           Thread.UncaughtExceptionHandler fatalErrors) {
        this.leaderId = leaderId;
        this.localBrokerId = localBrokerId;
        this.client = client;
        this.config = config;
        this.thread = new Thread(this::run, "ferry-replica-fetcher-" + leaderId);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(fatalErrors);
    }

    /**
     * A fetcher for {@code leaderId}, its thread started.
     *
     * @param fatalErrors gets what ends the thread: the fetch loop catches every exception but an {@link Error}
     */
    public static ReplicaFetcher start(int leaderId, int localBrokerId, LeaderClient client, ReplicationConfig config,
                                       Thread.UncaughtExceptionHandler fatalErrors) {
        ReplicaFetcher fetcher = new ReplicaFetcher(leaderId, localBrokerId, client, config, fatalErrors);
        fetcher.thread.start();
        return fetcher;
    }

    /** Pulls {@code partition} from now on, at {@code leaderEpoch} (replacing an older epoch). */
    public void follow(Partition partition, int leaderEpoch) {
        Followed before = followed.get(partition.tp());
        if (before != null && before.partition() == partition && before.leaderEpoch() == leaderEpoch) {
            // Only the ISR changed: the fetch in flight stays valid.
            return;
        }
        followed.put(partition.tp(), new Followed(partition, leaderEpoch));
        signal();
    }

    /** @return whether the partition was followed here */
    public boolean unfollow(TopicPartition tp) {
        return followed.remove(tp) != null;
    }

    public boolean isIdle() {
        return followed.isEmpty();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                fetchOnce();
            } catch (RuntimeException e) {
                log.warn("Replica fetcher for leader {} failed; retrying after {} ms", leaderId,
                        config.fetchBackoffMs(), e);
                pause(config.fetchBackoffMs());
            }
        }
    }

    private void fetchOnce() {
        Map<TopicPartition, Followed> byTp = Map.copyOf(followed);
        List<ReplicaFetchPartition> positions = new ArrayList<>();
        for (Followed f : byTp.values()) {
            f.partition().fetchPosition(f.leaderEpoch(), config.partitionFetchMaxBytes()).ifPresent(positions::add);
        }
        if (positions.isEmpty()) {
            pause(100);
            return;
        }
        Map<TopicPartition, ReplicaFetchResult> answers;
        CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> request = client.fetch(leaderId, localBrokerId,
                new FetchParams(config.fetchMaxWaitMs(), config.fetchMinBytes(), config.fetchMaxBytes()), positions,
                config.requestTimeoutMs());
        inFlight = request;
        if (!running) {
            request.cancel(true);
        }
        try {
            answers = request.join();
        } catch (CancellationException e) {
            return;
        } catch (CompletionException e) {
            log.debug("Fetch from leader {} failed: {}", leaderId, e.getCause().getMessage());
            pause(config.fetchBackoffMs());
            return;
        } finally {
            inFlight = null;
        }
        boolean refused = false;
        List<CompletableFuture<Void>> flushes = new ArrayList<>();
        for (ReplicaFetchPartition position : positions) {
            ReplicaFetchResult answer = answers.get(position.tp());
            Followed f = byTp.get(position.tp());
            if (answer == null || followed.get(position.tp()) != f) {
                if (answer != null) {
                    answer.lease().release();
                }
                continue;
            }
            try {
                flushes.add(f.partition().applyLeaderAnswer(position, answer));
            } catch (ReplicationException e) {
                refused = true;
                // A leader that has not yet applied the metadata naming it is normal during a leader change, and
                // so is a refusal while this broker is fenced (between registering and its first heartbeat).
                boolean expected = e.error().code() == ErrorCode.UNKNOWN_LEADER_EPOCH
                        || e.error().code() == ErrorCode.NOT_LEADER || e.error().code() == ErrorCode.FENCED_LEADER_EPOCH
                        || e.error().code() == ErrorCode.BROKER_FENCED;
                if (expected) {
                    log.debug("Leader {} refused {}: {}", leaderId, position.tp(), e.getMessage());
                } else {
                    log.warn("Fetching {} from leader {} failed: {}", position.tp(), leaderId, e.getMessage());
                }
            } finally {
                // Appended (written, not necessarily flushed): the answer's buffer may be reused.
                answer.lease().release();
            }
        }
        awaitFlushes(flushes);
        if (refused) {
            pause(config.fetchBackoffMs());
        }
    }

    /** Waits for the flushes the appends of this round asked for; a failed one took its partition offline. */
    private void awaitFlushes(List<CompletableFuture<Void>> flushes) {
        CompletableFuture<Void> all = CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new));
        if (all.isDone()) {
            return;
        }
        inFlight = all;
        if (!running) {
            all.cancel(true);
        }
        try {
            all.join();
        } catch (CancellationException e) {
            // Stopping.
        } catch (CompletionException e) {
            log.debug("A flush after fetching from leader {} failed: {}", leaderId, e.getCause().getMessage());
        } finally {
            inFlight = null;
        }
    }

    /** Waits up to {@code ms}, returning early when the followed set changes or the fetcher stops. */
    private void pause(long ms) {
        lock.lock();
        try {
            if (running) {
                changed.await(ms, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread and waits for it: the request in flight is cancelled, an answer being applied is
     * finished. The thread is never interrupted, since an interrupt during a log write closes the log's
     * file channel.
     */
    @Override
    public void close() {
        running = false;
        CompletableFuture<?> request = inFlight;
        if (request != null) {
            request.cancel(true);
        }
        signal();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
