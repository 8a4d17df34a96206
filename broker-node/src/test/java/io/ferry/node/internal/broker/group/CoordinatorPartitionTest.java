package io.ferry.node.internal.broker.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupConfig;
import io.ferry.group.GroupError;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.OffsetCommitRequest;
import io.ferry.group.OffsetConfig;
import io.ferry.group.PartitionAssignor;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ProduceOutcome;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator whose appends are replicated when the test says so: what it answers before its records
 * are replicated, and after an append that timed out.
 */
class CoordinatorPartitionTest {

    private static final TopicPartition OFFSETS = new TopicPartition(OffsetsTopic.NAME, 0);
    private static final io.ferry.group.TopicPartition ORDERS = new io.ferry.group.TopicPartition("orders", 0);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private HeldReplication replication;
    private CoordinatorPartition coordinator;

    @BeforeEach
    void load() throws Exception {
        replication = new HeldReplication(Log.open(dir, LogConfig.defaults(), 0, InstantSource.system(), timer));
        coordinator = new CoordinatorPartition(
                OFFSETS,
                0,
                () -> new CoordinatorShard(
                        new GroupConfig(
                                45_000, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
                        new OffsetConfig(60_000, 64)),
                new CoordinatorPartition.Environment(
                        replication,
                        pool,
                        timer,
                        InstantSource.system(),
                        new GroupTopics(
                                new ClusterTopics(() -> BrokerMetadata.EMPTY), BrokerAuthorizer.allowingEverything()),
                        30_000));
        coordinator.load();
        // Loaded (an empty log) once a read is answered.
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> coordinator.read(shard -> true).get(1, TimeUnit.SECONDS));
    }

    @AfterEach
    void close() {
        coordinator.unload();
        replication.log.close();
        pool.shutdownNow();
        timer.shutdownNow();
    }

    private CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> commit(long offset) {
        return coordinator.write((shard, now) -> shard.commitOffsets(
                OffsetCommitRequest.simple("g", Map.of(ORDERS, new OffsetAndMetadata(offset, -1, "", 0))), now));
    }

    private CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> fetch() {
        return coordinator.read(shard -> shard.fetchOffsets("g", Optional.empty()));
    }

    /** The answers stay unanswered for a while (they wait for replication the test holds back). */
    private static void stillPending(CompletableFuture<?>... answers) {
        await().during(Duration.ofMillis(200))
                .atMost(WAIT)
                .until(() -> Arrays.stream(answers).noneMatch(CompletableFuture::isDone));
    }

    private static <T> T done(CompletableFuture<T> answer) throws Exception {
        return answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aReadIsAnsweredOnlyOnceTheWritesBeforeItAreReplicated() throws Exception {
        assertEquals(Map.of(ORDERS, GroupError.NONE), replicatedAnswer(commit(5)));

        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> pendingCommit = commit(9);
        CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> read = fetch();
        replication.awaitPending(1);
        // Unanswered: the read would reveal offset 9, which a failover could still lose.
        stillPending(read, pendingCommit);

        replication.replicateAll();
        assertEquals(Map.of(ORDERS, GroupError.NONE), done(pendingCommit));
        assertEquals(9, done(read).get(ORDERS).offset());
    }

    @Test
    void aWriteWithoutRecordsWaitsForTheWritesBeforeIt() throws Exception {
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> pendingCommit = commit(3);
        // A commit to an invalid group writes nothing but would answer from the same state.
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> noRecords =
                coordinator.write((shard, now) -> shard.commitOffsets(
                        OffsetCommitRequest.simple("", Map.of(ORDERS, new OffsetAndMetadata(1, -1, "", 0))), now));
        replication.awaitPending(1);
        stillPending(noRecords);

        replication.replicateAll();
        assertEquals(Map.of(ORDERS, GroupError.INVALID_GROUP_ID), done(noRecords));
        assertTrue(pendingCommit.isDone());
    }

    @Test
    void afterAnAppendTimedOutReadsWaitUntilTheHighWatermarkPassesItsRecords() throws Exception {
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> timedOut = commit(7);
        replication.awaitPending(1);
        replication.failOldest(ErrorCode.REQUEST_TIMED_OUT);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> done(timedOut));
        assertEquals(
                ErrorCode.COORDINATOR_NOT_AVAILABLE,
                assertInstanceOf(CoordinatorException.class, failure.getCause()).code());

        // The record is in the log and in the shard: a read waits for the ISR rather than fail or reveal it.
        CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> read = fetch();
        stillPending(read);
        replication.advanceHighWatermarkToEnd();
        assertEquals(7, done(read).get(ORDERS).offset());
    }

    @Test
    void anAnswerWaitingForReplicationFailsWithNotCoordinatorWhenTheLeadershipEnds() throws Exception {
        commit(4);
        CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> read = fetch();
        replication.awaitPending(1);
        stillPending(read);
        coordinator.unload();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> done(read));
        assertEquals(
                ErrorCode.NOT_COORDINATOR,
                assertInstanceOf(CoordinatorException.class, failure.getCause()).code());
    }

    @Test
    void writesThatComeWhileAnAppendWaitsAreAppendedTogetherOnceItsOutcomeArrives() throws Exception {
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> first = commit(1);
        replication.awaitPending(1);
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> second = commit(2);
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> third = commit(3);
        CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> read = fetch();
        // The later commits wait in the shard for the first append's outcome, not in appends of their own.
        stillPending(second, third, read);
        assertEquals(1, replication.pendingCount());

        replication.replicateAll();
        assertEquals(Map.of(ORDERS, GroupError.NONE), done(first));
        replication.awaitPending(1);
        assertEquals(List.of(1, 2), replication.appendedRecords());
        stillPending(second, third, read);

        replication.replicateAll();
        assertEquals(Map.of(ORDERS, GroupError.NONE), done(second));
        assertEquals(Map.of(ORDERS, GroupError.NONE), done(third));
        assertEquals(3, done(read).get(ORDERS).offset());
    }

    @Test
    void anAppendRefusedOutrightFailsItsWritesAndTheGroupsAreLoadedAgainFromTheLog() throws Exception {
        assertEquals(Map.of(ORDERS, GroupError.NONE), replicatedAnswer(commit(5)));
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> inFlight = commit(6);
        replication.awaitPending(1);
        // Replayed into the shard, waiting for the append of commit 6: then refused outright.
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> refused = commit(7);
        CompletableFuture<Map<io.ferry.group.TopicPartition, OffsetAndMetadata>> readOfRefused = fetch();
        stillPending(refused, readOfRefused);
        replication.refuseNextAppend(ErrorCode.NOT_ENOUGH_REPLICAS);
        replication.replicateAll();

        assertEquals(Map.of(ORDERS, GroupError.NONE), done(inFlight));
        for (CompletableFuture<?> failed : List.of(refused, readOfRefused)) {
            ExecutionException failure = assertThrows(ExecutionException.class, () -> done(failed));
            assertEquals(
                    ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    assertInstanceOf(CoordinatorException.class, failure.getCause())
                            .code());
        }
        // Loaded again from the log, which has commit 6 and not 7.
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> fetch().get(1, TimeUnit.SECONDS).get(ORDERS).offset() == 6);
        assertEquals(Map.of(ORDERS, GroupError.NONE), replicatedAnswer(commit(8)));
        assertEquals(8, done(fetch()).get(ORDERS).offset());
    }

    @Test
    void anOperationWhoseRecordsCanNeverFitABatchIsRefusedBeforeItChangesAnything() throws Exception {
        int maxBatchBytes = replication.maxBatchBytes(OFFSETS);
        Map<io.ferry.group.TopicPartition, OffsetAndMetadata> tooMany = new HashMap<>();
        for (int p = 0; p < maxBatchBytes / 20; p++) {
            tooMany.put(new io.ferry.group.TopicPartition("orders", p), new OffsetAndMetadata(p, -1, "", 0));
        }
        CompletableFuture<Map<io.ferry.group.TopicPartition, GroupError>> huge =
                coordinator.write((shard, now) -> shard.commitOffsets(OffsetCommitRequest.simple("g", tooMany), now));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> done(huge));
        assertEquals(
                ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
                assertInstanceOf(CoordinatorException.class, failure.getCause()).code());
        assertEquals(List.of(), replication.appendedRecords());
        assertEquals(Map.of(), done(fetch()));
    }

    private <T> T replicatedAnswer(CompletableFuture<T> answer) throws Exception {
        replication.awaitPending(1);
        replication.replicateAll();
        return done(answer);
    }

    /**
     * Appends go to the log at once and are replicated, or fail, when the test says; the next one may be
     * refused outright, on the appending thread, as the replica manager refuses a partition it cannot append to.
     */
    private static final class HeldReplication implements CoordinatorLog {

        private record Pending(long end, Consumer<ProduceOutcome> done) {}

        final Log log;
        private final Deque<Pending> pending = new ArrayDeque<>();
        /** Records per append, in order. */
        private final List<Integer> appendedRecords = new ArrayList<>();

        private ErrorCode refuseNext;
        private long highWatermark;

        HeldReplication(Log log) {
            this.log = log;
        }

        @Override
        public Optional<Log> log(TopicPartition tp) {
            return Optional.of(log);
        }

        @Override
        public void appendReplicated(
                TopicPartition tp, ByteBuffer batch, long timeoutMs, Consumer<ProduceOutcome> done) {
            ErrorCode refusal;
            synchronized (this) {
                refusal = refuseNext;
                refuseNext = null;
                if (refusal == null) {
                    try {
                        appendedRecords.add(RecordBatch.wrap(batch.duplicate()).recordCount());
                        log.appendAsLeader(batch, 0);
                    } catch (LogAppendException | CorruptBatchException e) {
                        throw new IllegalStateException(e);
                    }
                    pending.add(new Pending(log.logEndOffset(), done));
                    notifyAll();
                }
            }
            if (refusal != null) {
                done.accept(ProduceOutcome.failed(PartitionError.of(refusal, "refused by the test")));
            }
        }

        @Override
        public synchronized long highWatermark(TopicPartition tp) {
            return highWatermark;
        }

        synchronized void refuseNextAppend(ErrorCode code) {
            refuseNext = code;
        }

        synchronized List<Integer> appendedRecords() {
            return List.copyOf(appendedRecords);
        }

        synchronized void awaitPending(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (pending.size() < count && System.nanoTime() < deadline) {
                wait(100);
            }
            assertTrue(pending.size() >= count, "appends pending: " + pending.size());
        }

        synchronized int pendingCount() {
            return pending.size();
        }

        void replicateAll() {
            Deque<Pending> replicated;
            synchronized (this) {
                replicated = new ArrayDeque<>(pending);
                pending.clear();
                highWatermark = log.logEndOffset();
            }
            replicated.forEach(p -> p.done().accept(new ProduceOutcome(null, p.end() - 1, p.end() - 1, -1, 0)));
        }

        void failOldest(ErrorCode code) {
            Pending failed;
            synchronized (this) {
                failed = pending.remove();
            }
            failed.done().accept(ProduceOutcome.failed(PartitionError.of(code, "held by the test")));
        }

        synchronized void advanceHighWatermarkToEnd() {
            highWatermark = log.logEndOffset();
        }
    }
}
