package io.ferry.replication;

import static org.awaitility.Awaitility.await;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three brokers' replica managers over real logs in one JVM, fetching from each other through direct
 * calls, and a minimal controller for one partition: it holds the leader and ISR, applies
 * compare-and-set ISR changes and pushes every new state to the live brokers (as metadata propagation
 * does). A test can stall a broker's fetcher (a follower that stops fetching but stays alive), kill a
 * broker (its manager and log closed) and restart it from its directory.
 */
final class ReplicaCluster implements AutoCloseable {

    static final TopicPartition TP = new TopicPartition("t", 0);
    static final List<Integer> REPLICAS = List.of(1, 2, 3);

    private final Path root;
    private final ReplicationConfig config;
    private final int minInsync;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService metadata = Executors.newSingleThreadScheduledExecutor();
    private final Map<Integer, Broker> brokers = new TreeMap<>();
    /** The controller's state of {@link #TP}; guarded by this. */
    private LeaderAndIsr state = new LeaderAndIsr(1, 1, 1, REPLICAS, REPLICAS);

    final AtomicInteger isrShrinks = new AtomicInteger();
    final AtomicInteger isrExpands = new AtomicInteger();

    /** One broker: its log and replica manager while up; whether its fetchers get answers. */
    final class Broker {
        final int id;
        volatile boolean stalled;
        /** Fetches of this broker's fetchers the leader has not answered yet. */
        final AtomicInteger fetchesInFlight = new AtomicInteger();

        volatile ReplicaManager manager;
        volatile Log log;

        Broker(int id) {
            this.id = id;
        }

        void start() {
            log = Log.open(
                    root.resolve("broker-" + id).resolve(TP.toString()),
                    LogConfig.defaults(),
                    0,
                    InstantSource.system(),
                    scheduler);
            Log opened = log;
            manager = new ReplicaManager(
                    id,
                    new ReplicaLogs() {
                        @Override
                        public ReplicaLog open(TopicPartition tp) {
                            return ReplicaLog.of(opened, failure -> {});
                        }

                        @Override
                        public void delete(TopicPartition tp) {
                            throw new AssertionError("no partition is deleted in these tests");
                        }
                    },
                    topic -> minInsync,
                    config,
                    new ReplicaManager.Environment(
                            new ExecutorTimer(scheduler),
                            InstantSource.system(),
                            this::fetchFromLeader,
                            ReplicaCluster.this::alterPartition,
                            new ReplicationListener() {
                                @Override
                                public void isrShrunk(TopicPartition tp) {
                                    isrShrinks.incrementAndGet();
                                }

                                @Override
                                public void isrExpanded(TopicPartition tp) {
                                    isrExpands.incrementAndGet();
                                }
                            },
                            name -> Executors.newSingleThreadExecutor()));
            manager.applyPartitionState(TP, state());
        }

        void stop() {
            manager.close();
            log.close();
            manager = null;
        }

        boolean isUp() {
            return manager != null;
        }

        private CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> fetchFromLeader(
                int leaderId,
                int replicaId,
                FetchParams params,
                List<ReplicaFetchPartition> partitions,
                boolean fullRequest,
                long timeoutMs) {
            ReplicaManager leader = brokers.get(leaderId).manager;
            if (stalled || leader == null) {
                return CompletableFuture.failedFuture(
                        new IOException(stalled ? "broker " + id + " is stalled" : "broker " + leaderId + " is down"));
            }
            CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = new CompletableFuture<>();
            fetchesInFlight.incrementAndGet();
            answer.whenComplete((r, e) -> fetchesInFlight.decrementAndGet());
            leader.fetchForFollower(replicaId, params, partitions, answer::complete);
            return answer.orTimeout(params.maxWaitMs() + timeoutMs, TimeUnit.MILLISECONDS);
        }

        long logEndOffset() {
            return log.logEndOffset();
        }

        long highWatermark() {
            return log.highWatermark();
        }

        /** Every batch below {@code end}, as stored. */
        ByteBuffer bytesBelow(long end) throws OffsetOutOfRangeException {
            ByteBuffer all = ByteBuffer.allocate((int) log.sizeInBytes());
            long offset = log.logStartOffset();
            while (offset < end) {
                LogReadResult read = log.read(offset, Integer.MAX_VALUE, end);
                if (read.isEmpty()) {
                    break;
                }
                ByteBuffer records = read.records();
                offset = lastOffsetPlusOne(records);
                all.put(records);
            }
            return all.flip();
        }
    }

    private static long lastOffsetPlusOne(ByteBuffer records) {
        BatchScanner scanner = BatchScanner.of(records.duplicate());
        long next = -1;
        try {
            for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                next = b.nextOffset();
            }
        } catch (CorruptBatchException e) {
            throw new AssertionError("a log returned a corrupt batch", e);
        }
        return next;
    }

    ReplicaCluster(Path root, ReplicationConfig config, int minInsync) {
        this.root = root;
        this.config = config;
        this.minInsync = minInsync;
        for (int id : REPLICAS) {
            brokers.put(id, new Broker(id));
        }
        brokers.values().forEach(Broker::start);
    }

    /** Stops {@code ids}' fetchers and waits until none has a fetch outstanding, so no new batch reaches them. */
    void stall(int... ids) {
        for (int id : ids) {
            brokers.get(id).stalled = true;
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (int id : ids) {
                if (brokers.get(id).fetchesInFlight.get() > 0) {
                    return false;
                }
            }
            return true;
        });
    }

    Broker broker(int id) {
        return brokers.get(id);
    }

    synchronized LeaderAndIsr state() {
        return state;
    }

    /** The controller's compare-and-set ISR change, as ActiveController checks it. */
    private CompletableFuture<LeaderAndIsr> alterPartition(
            TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        LeaderAndIsr next;
        synchronized (this) {
            if (leaderEpoch != state.leaderEpoch() || partitionEpoch != state.partitionEpoch()) {
                return CompletableFuture.failedFuture(new ReplicationException(
                        ErrorCode.STALE_PARTITION_EPOCH,
                        "stale epochs " + leaderEpoch + "/" + partitionEpoch + " for " + state));
            }
            next = new LeaderAndIsr(state.leader(), state.leaderEpoch(), state.partitionEpoch() + 1, REPLICAS, newIsr);
            state = next;
        }
        publish();
        return CompletableFuture.completedFuture(next);
    }

    /** Moves leadership to {@code leader} with {@code isr} (an election by the controller). */
    void elect(int leader, List<Integer> isr) {
        synchronized (this) {
            state = new LeaderAndIsr(leader, state.leaderEpoch() + 1, state.partitionEpoch() + 1, REPLICAS, isr);
        }
        publish();
    }

    /** Every live broker applies the current state, on the metadata thread, as brokers poll it. */
    private void publish() {
        metadata.execute(() -> {
            LeaderAndIsr now = state();
            for (Broker b : brokers.values()) {
                ReplicaManager m = b.manager;
                if (m != null) {
                    m.applyPartitionState(TP, now);
                }
            }
        });
    }

    /** Appends {@code batch} on the current leader. */
    CompletableFuture<ProduceOutcome> produce(RequiredAcks acks, ByteBuffer batch) {
        CompletableFuture<ProduceOutcome> outcome = new CompletableFuture<>();
        brokers.get(state().leader())
                .manager
                .appendRecords(acks, 10_000, Map.of(TP, batch), result -> outcome.complete(result.get(TP)));
        return outcome;
    }

    static List<Integer> sorted(List<Integer> ids) {
        List<Integer> copy = new ArrayList<>(ids);
        copy.sort(null);
        return copy;
    }

    @Override
    public void close() {
        for (Broker b : brokers.values()) {
            if (b.isUp()) {
                b.stop();
            }
        }
        metadata.shutdownNow();
        scheduler.shutdownNow();
    }
}
