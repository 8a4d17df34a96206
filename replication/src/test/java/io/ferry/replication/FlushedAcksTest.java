package io.ferry.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability contract with {@code flush.messages=1}: an acknowledgement, and a follower's report of its
 * log end, wait for the fsync covering the records. The log's flush thread is a queue the test runs by hand.
 */
class FlushedAcksTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Queue<Runnable> flushThread = new ConcurrentLinkedQueue<>();
    private final ManualTimer timer = new ManualTimer();
    private Log log;
    private ReplicaManager manager;

    private ReplicaManager start(LeaderClient leaders) {
        log = Log.open(
                dir,
                LogConfig.builder().flushIntervalMessages(1).build(),
                0,
                InstantSource.system(),
                scheduler,
                flushThread::add);
        manager = new ReplicaManager(
                1,
                new ReplicaLogs() {
                    @Override
                    public ReplicaLog open(TopicPartition tp) {
                        return ReplicaLog.of(log, failure -> {});
                    }

                    @Override
                    public void delete(TopicPartition tp) {
                        throw new AssertionError("nothing is deleted here");
                    }
                },
                topic -> 1,
                new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment(
                        timer,
                        InstantSource.system(),
                        leaders,
                        (tp, leaderEpoch, partitionEpoch, isr) -> new CompletableFuture<>(),
                        ReplicationListener.NONE,
                        name -> Executors.newSingleThreadExecutor(task -> {
                            Thread thread = new Thread(task, name);
                            thread.setDaemon(true);
                            return thread;
                        })));
        return manager;
    }

    @AfterEach
    void tearDown() {
        manager.close();
        log.close();
        scheduler.shutdownNow();
    }

    private void runFlushes() {
        for (Runnable flush = flushThread.poll(); flush != null; flush = flushThread.poll()) {
            flush.run();
        }
    }

    private static ByteBuffer batch(int records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            builder.append(1_000 + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private AtomicReference<Map<TopicPartition, ProduceOutcome>> produce(RequiredAcks acks) {
        AtomicReference<Map<TopicPartition, ProduceOutcome>> result = new AtomicReference<>();
        manager.appendRecords(acks, 1_000, Map.of(TP, batch(3)), result::set);
        return result;
    }

    private void lead(List<Integer> isr) {
        manager.applyPartitionState(TP, new LeaderAndIsr(1, 1, 1, List.of(1, 2, 3), isr));
    }

    @Test
    void acksOneIsAnsweredOnlyOnceTheFsyncCoveringTheAppendCompleted() {
        start(unreachableLeader());
        lead(List.of(1));
        var acked = produce(RequiredAcks.LEADER);
        assertNull(acked.get(), "written, not yet forced");
        assertEquals(0, log.recoveryPoint());
        runFlushes();
        assertNotNull(acked.get());
        assertEquals(2, acked.get().get(TP).lastOffset());
        assertEquals(3, log.recoveryPoint());
    }

    @Test
    void acksAllWaitsForTheLeadersFsyncEvenOnceTheInSyncReplicasHaveTheRecords() {
        start(unreachableLeader());
        lead(List.of(1, 2));
        var acked = produce(RequiredAcks.ALL);
        AtomicReference<Map<TopicPartition, ReplicaFetchResult>> fetched = new AtomicReference<>();
        manager.fetchForFollower(
                2,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(TP, 3, 1, 1, 1 << 20)),
                fetched::set);
        assertEquals(3, manager.partition(TP).orElseThrow().highWatermark(), "follower 2 has all three");
        assertNull(acked.get(), "the leader's own fsync is still due");
        runFlushes();
        assertNotNull(acked.get());
        assertNull(acked.get().get(TP).error());
    }

    @Test
    void recordsTruncatedBeforeTheirFsyncAreAnsweredNotLeader() {
        start(unreachableLeader());
        lead(List.of(1));
        var acked = produce(RequiredAcks.LEADER);
        log.truncateTo(0);
        assertNotNull(acked.get());
        assertEquals(ErrorCode.NOT_LEADER, acked.get().get(TP).error().code());
    }

    @Test
    void aFollowerReleasesTheAnswerOnceAppendedAndFetchesAgainOnlyOnceItsAppendIsOnDisk() throws Exception {
        List<ReplicaFetchPartition> requests = new CopyOnWriteArrayList<>();
        ByteBuffer records = batch(3);
        RecordBatch.wrap(records.duplicate()).setPartitionLeaderEpoch(1);
        AtomicInteger released = new AtomicInteger();
        start((leader, replica, params, partitions, full, timeout) -> {
            requests.addAll(partitions);
            if (requests.size() > 1) {
                return new CompletableFuture<>();
            }
            return CompletableFuture.completedFuture(
                    Map.of(TP, new ReplicaFetchResult(null, 0, 0, 3, null, records, released::incrementAndGet)));
        });
        manager.applyPartitionState(TP, new LeaderAndIsr(2, 1, 1, List.of(1, 2, 3), List.of(1, 2, 3)));

        await().atMost(Duration.ofSeconds(10)).until(() -> log.logEndOffset() == 3 && !flushThread.isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> released.get() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 1);
        runFlushes();
        await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 2);
        assertEquals(3, requests.get(1).fetchOffset());
        assertEquals(3, log.recoveryPoint());
    }

    private static LeaderClient unreachableLeader() {
        return (leader, replica, params, partitions, full, timeout) -> new CompletableFuture<>();
    }
}
