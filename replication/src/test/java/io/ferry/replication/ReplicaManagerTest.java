package io.ferry.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.EpochEntry;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ISR, high watermark and delayed completion with an in-memory log and a manual timer: no file, socket or clock. */
class ReplicaManagerTest {

    private static final int LOCAL = 1;
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final ManualTimer timer = new ManualTimer();
    private final Map<TopicPartition, MemoryReplicaLog> logs = new HashMap<>();
    private final List<TopicPartition> deleted = new ArrayList<>();
    private int minIsr = 1;
    /** ISR changes that reached the controller (which refuses every one). */
    private final List<List<Integer>> isrChangesSent = new ArrayList<>();
    /** What ended a fetcher's thread. */
    private final List<Throwable> fatalErrors = Collections.synchronizedList(new ArrayList<>());

    private final ReplicaManager manager = manager((leader, replica, params, partitions, full, timeout) ->
            CompletableFuture.failedFuture(new IOException("this test has no leader to fetch from")));

    private ReplicaManager manager(LeaderClient leaders) {
        return new ReplicaManager(
                LOCAL,
                new ReplicaLogs() {
                    @Override
                    public ReplicaLog open(TopicPartition tp) {
                        return logs.computeIfAbsent(tp, t -> new MemoryReplicaLog());
                    }

                    @Override
                    public void delete(TopicPartition tp) {
                        deleted.add(tp);
                    }
                },
                topic -> minIsr,
                new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment(
                        timer,
                        timer.clock(),
                        leaders,
                        (tp, leaderEpoch, partitionEpoch, isr) -> {
                            isrChangesSent.add(isr);
                            return CompletableFuture.failedFuture(new IOException("this test has no controller"));
                        },
                        ReplicationListener.NONE,
                        name -> Executors.newSingleThreadExecutor(task -> {
                            Thread thread = new Thread(task, name);
                            thread.setDaemon(true);
                            thread.setUncaughtExceptionHandler((t, error) -> fatalErrors.add(error));
                            return thread;
                        })));
    }

    private static ByteBuffer batch(int records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            builder.append(1_000 + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static LeaderAndIsr leader(int epoch, List<Integer> isr) {
        return new LeaderAndIsr(LOCAL, epoch, epoch, List.of(1, 2, 3), isr);
    }

    private AtomicReference<Map<TopicPartition, ProduceOutcome>> produce(RequiredAcks acks, ByteBuffer records) {
        AtomicReference<Map<TopicPartition, ProduceOutcome>> result = new AtomicReference<>();
        manager.appendRecords(acks, 1_000, Map.of(TP, records), r -> assertNull(result.getAndSet(r), "answered twice"));
        return result;
    }

    private AtomicReference<Map<TopicPartition, FetchedPartition>> fetch(long offset, long maxWaitMs, int minBytes) {
        AtomicReference<Map<TopicPartition, FetchedPartition>> result = new AtomicReference<>();
        manager.fetch(
                new FetchParams(maxWaitMs, minBytes, 1 << 20),
                List.of(new FetchPartitionRequest(TP, offset, 1 << 20, -1)),
                r -> assertNull(result.getAndSet(r), "answered twice"));
        return result;
    }

    /** Follower {@code replicaId} fetches from {@code offset}: the leader learns its log end offset. */
    private ReplicaFetchResult followerFetch(int replicaId, long offset) {
        return followerFetch(replicaId, offset, -1);
    }

    private ReplicaFetchResult followerFetch(int replicaId, long offset, int lastFetchedEpoch) {
        AtomicReference<Map<TopicPartition, ReplicaFetchResult>> result = new AtomicReference<>();
        manager.fetchForFollower(
                replicaId,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(
                        TP, offset, manager.partition(TP).orElseThrow().leaderEpoch(), lastFetchedEpoch, 1 << 20)),
                result::set);
        return result.get().get(TP);
    }

    @Test
    void aSoleInSyncLeaderCommitsOnAppendAndAnswersAcksAllAtOnce() {
        manager.applyPartitionState(TP, leader(3, List.of(LOCAL)));
        var acked = produce(RequiredAcks.ALL, batch(5));
        assertNotNull(acked.get());
        assertEquals(0, acked.get().get(TP).baseOffset());
        assertEquals(4, acked.get().get(TP).lastOffset());
        assertEquals(5, manager.partition(TP).orElseThrow().highWatermark());
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void theHighWatermarkIsTheSmallestEndOffsetOverTheIsrAndAcksAllWaitsForIt() throws Exception {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2, 3)));
        var acked = produce(RequiredAcks.ALL, batch(4));
        assertNull(acked.get(), "followers have not fetched yet");
        assertEquals(0, manager.partition(TP).orElseThrow().highWatermark());
        // Consumers see nothing above the high watermark, though the leader has the records.
        assertEquals(0, fetch(0, 0, 0).get().get(TP).records().remaining());

        followerFetch(2, 4);
        assertNull(acked.get(), "follower 3's end offset is still unknown");
        followerFetch(3, 2);
        assertNull(acked.get());
        assertEquals(2, manager.partition(TP).orElseThrow().highWatermark());
        followerFetch(3, 4);
        assertNotNull(acked.get());
        assertNull(acked.get().get(TP).error());
        assertEquals(4, manager.partition(TP).orElseThrow().highWatermark());
        assertEquals(0, manager.waitingRequests());
        assertEquals(1, timer.pending(), "completion cancelled the timeout; only the ISR check is due");
    }

    @Test
    void aReplicaLeavingTheIsrLetsTheHighWatermarkAdvance() throws Exception {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        var acked = produce(RequiredAcks.ALL, batch(2));
        followerFetch(3, 0);
        assertNull(acked.get(), "3 is not in the ISR, 2 has not fetched");
        manager.applyPartitionState(TP, new LeaderAndIsr(LOCAL, 1, 2, List.of(1, 2, 3), List.of(1)));
        assertNotNull(acked.get());
        assertNull(acked.get().get(TP).error());
    }

    @Test
    void acksAllIsRefusedAfterTheAppendWhenTheIsrShrankBelowMinInsyncReplicasWhileItWaited() {
        minIsr = 2;
        manager.applyPartitionState(TP, leader(1, List.of(1, 2, 3)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        assertNull(acked.get());
        // The followers lagged and the controller accepted the leader's shrink: the high watermark passes the
        // batch, but only the leader holds it.
        manager.applyPartitionState(TP, new LeaderAndIsr(LOCAL, 1, 2, List.of(1, 2, 3), List.of(LOCAL)));
        assertEquals(1, manager.partition(TP).orElseThrow().highWatermark());
        ProduceOutcome outcome = acked.get().get(TP);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, outcome.error().code(), String.valueOf(outcome));
        assertEquals(1, logs.get(TP).logEndOffset(), "the batch stays in the log: it may be committed");
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void anUnansweredIsrExpansionKeepsCountingForTheHighWatermarkAndIsSentAgain() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(1));
        followerFetch(3, 1);
        assertEquals(List.of(List.of(1, 3)), isrChangesSent);
        // The controller may have added 3: until an answer or the metadata says, 3 counts, however long it takes.
        timer.advance(30_001);
        assertEquals(List.of(List.of(1, 3), List.of(1, 3)), isrChangesSent, "sent again, with the same epochs");
        produce(RequiredAcks.LEADER, batch(1));
        assertEquals(1, manager.partition(TP).orElseThrow().highWatermark(), "3 holds only offset 0");
        followerFetch(3, 2);
        assertEquals(2, manager.partition(TP).orElseThrow().highWatermark());
    }

    @Test
    void aCaughtUpFollowerOutsideTheIsrHoldsTheHighWatermarkForTheLagLimitThoughNothingElseHappens() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(1));
        followerFetch(3, 0);
        produce(RequiredAcks.LEADER, batch(1));
        followerFetch(3, 1);
        assertEquals(
                List.of(),
                isrChangesSent,
                "3 caught up with the log end of its previous fetch, not the high watermark");
        AtomicReference<Map<TopicPartition, ProduceOutcome>> acked = new AtomicReference<>();
        manager.appendRecords(RequiredAcks.ALL, 60_000, Map.of(TP, batch(1)), acked::set);
        assertEquals(
                2, manager.partition(TP).orElseThrow().highWatermark(), "3 may join soon: it holds the high watermark");
        timer.advance(15_000);
        timer.advance(15_000);
        assertNull(acked.get(), "3 caught up 30 s ago, within replica.lag.time.max.ms");
        // No fetch and no append comes: the ISR check moves the high watermark once 3 has lagged too long.
        timer.advance(15_000);
        assertNotNull(acked.get());
        assertNull(acked.get().get(TP).error());
        assertEquals(3, manager.partition(TP).orElseThrow().highWatermark());
    }

    @Test
    void acksAllTimesOutWithRequestTimedOutAndLeavesNoWaiter() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        timer.advance(999);
        assertNull(acked.get());
        timer.advance(1);
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, acked.get().get(TP).error().code());
        assertEquals(0, manager.waitingRequests());
        // The leader still has the record: a retry may duplicate it, as in Kafka without idempotence.
        assertEquals(1, logs.get(TP).logEndOffset());
    }

    @Test
    void acksAllIsRefusedBeforeAppendingWhenTheIsrIsTooSmall() {
        minIsr = 2;
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, acked.get().get(TP).error().code());
        assertEquals(0, logs.get(TP).logEndOffset());
        // acks=1 does not need the ISR.
        assertNull(produce(RequiredAcks.LEADER, batch(1)).get().get(TP).error());
    }

    @Test
    void losingLeadershipWhileWaitingAnswersNotLeaderWithTheNewLeader() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        manager.applyPartitionState(TP, new LeaderAndIsr(2, 2, 2, List.of(1, 2, 3), List.of(2)));
        assertEquals(ErrorCode.NOT_LEADER, acked.get().get(TP).error().code());

        var refused = produce(RequiredAcks.LEADER, batch(1)).get().get(TP).error();
        assertEquals(ErrorCode.NOT_LEADER, refused.code());
        assertEquals(2, refused.leaderId());
        assertEquals(2, refused.leaderEpoch());
    }

    @Test
    void becomingLeaderRecordsTheEpochAtTheLogEndAndStaleStateIsIgnored() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(3));
        manager.applyPartitionState(TP, leader(4, List.of(LOCAL)));
        manager.applyPartitionState(TP, new LeaderAndIsr(2, 3, 3, List.of(1, 2, 3), List.of(2)));
        assertEquals(
                List.of(new EpochEntry(1, 0), new EpochEntry(4, 3)),
                logs.get(TP).epochEntries());
        assertTrue(manager.partition(TP).orElseThrow().isLeaderAt(4), "the older epoch 3 was ignored");
    }

    @Test
    void aLongPollFetchIsWokenByTheAppendThatCommitsEnoughBytes() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        var fetched = fetch(0, 5_000, 1);
        assertNull(fetched.get());
        produce(RequiredAcks.LEADER, batch(2));
        assertNotNull(fetched.get());
        assertTrue(fetched.get().get(TP).records().remaining() > 0);
        assertEquals(2, fetched.get().get(TP).highWatermark());
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void aWaitingConsumerFetchIsAnsweredByTheFollowerFetchThatAdvancesTheHighWatermarkNotByItsTimeout() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL, 2)));
        var fetched = fetch(0, 5_000, 1);
        produce(RequiredAcks.ALL, batch(2));
        assertNull(fetched.get(), "the records are above the high watermark until follower 2 has them");

        followerFetch(2, 2);
        assertNotNull(fetched.get(), "answered without the timer moving");
        assertTrue(fetched.get().get(TP).records().remaining() > 0);
        assertEquals(2, fetched.get().get(TP).highWatermark());
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void aFollowerFetchAnsweredForOnePartitionLeavesTheWatchListsOfItsOthers() {
        TopicPartition idle = new TopicPartition("t", 1);
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL, 2)));
        manager.applyPartitionState(idle, leader(1, List.of(LOCAL, 2)));
        AtomicReference<Map<TopicPartition, ReplicaFetchResult>> waiting = new AtomicReference<>();
        manager.fetchForFollower(
                2,
                new FetchParams(5_000, 1, 1 << 20),
                List.of(
                        new ReplicaFetchPartition(TP, 0, 1, -1, 1 << 20),
                        new ReplicaFetchPartition(idle, 0, 1, -1, 1 << 20)),
                waiting::set);
        assertEquals(2, manager.waitingRequests(), "one fetch, watched under both partitions");

        produce(RequiredAcks.LEADER, batch(1));

        assertTrue(waiting.get().get(TP).records().remaining() > 0);
        waiting.get().values().forEach(answer -> answer.lease().release());
        // Left on the idle partition's list, every fetch a write to TP answered stayed in the heap for good.
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void aWaitingFollowerFetchReadsOnlyWhenItsPartitionsChangedAndAnswersWithTheReadThatSatisfiedIt() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL, 2)));
        produce(RequiredAcks.LEADER, batch(1));
        AtomicReference<Map<TopicPartition, ReplicaFetchResult>> waiting = new AtomicReference<>();
        manager.fetchForFollower(
                3,
                new FetchParams(5_000, 1, 1 << 20),
                List.of(new ReplicaFetchPartition(TP, 1, 1, -1, 1 << 20)),
                r -> assertNull(waiting.getAndSet(r), "answered twice"));
        assertNull(waiting.get(), "follower 3 has every batch");
        AtomicInteger reads = logs.get(TP).reads;

        int before = reads.get();
        followerFetch(2, 1);
        assertEquals(1, manager.partition(TP).orElseThrow().highWatermark(), "follower 2 moved it");
        assertEquals(
                before + 1,
                reads.get(),
                "only follower 2's own read: a high watermark change gives follower 3 nothing to read");
        assertNull(waiting.get());

        before = reads.get();
        produce(RequiredAcks.LEADER, batch(1));
        assertTrue(waiting.get().get(TP).records().remaining() > 0);
        assertEquals(before + 1, reads.get(), "the read that found the new batch is the answer");
        waiting.get().get(TP).lease().release();
        assertEquals(0, logs.get(TP).leasesHeld.get());
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void aLongPollFetchWaitsForMinBytesThenAnswersAtMaxWaitWithWhatThereIs() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        var fetched = fetch(0, 500, 1_000_000);
        produce(RequiredAcks.LEADER, batch(1));
        assertNull(fetched.get(), "fewer than min_bytes");
        timer.advance(500);
        assertTrue(fetched.get().get(TP).records().remaining() > 0);
        assertEquals(0, manager.waitingRequests());
    }

    @Test
    void readsALongPollDropsAreReleasedAndTheAnswerHoldsOnlyItsOwn() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(1));
        var fetched = fetch(0, 500, 1_000_000);
        produce(RequiredAcks.LEADER, batch(1));
        assertNull(fetched.get(), "fewer than min_bytes: read twice, answered by neither");
        assertEquals(0, logs.get(TP).leasesHeld.get());

        timer.advance(500);
        assertEquals(1, logs.get(TP).leasesHeld.get(), "the answer's read");
        fetched.get().get(TP).lease().release();
        assertEquals(0, logs.get(TP).leasesHeld.get());
    }

    @Test
    void aPartitionLeftOutOfAnAnswerForMaxBytesIsReleased() {
        TopicPartition other = new TopicPartition("t", 1);
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        manager.applyPartitionState(other, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(1));
        manager.appendRecords(RequiredAcks.LEADER, 1_000, Map.of(other, batch(1)), r -> {});
        AtomicReference<Map<TopicPartition, FetchedPartition>> result = new AtomicReference<>();
        manager.fetch(
                new FetchParams(0, 0, 1),
                List.of(
                        new FetchPartitionRequest(TP, 0, 1 << 20, -1),
                        new FetchPartitionRequest(other, 0, 1 << 20, -1)),
                result::set);
        assertEquals(0, result.get().get(other).records().remaining());
        assertEquals(0, logs.get(other).leasesHeld.get());
        assertEquals(1, logs.get(TP).leasesHeld.get());
    }

    @Test
    void maxBytesBoundsTheAnswerButTheFirstBatchAlwaysComes() {
        TopicPartition other = new TopicPartition("t", 1);
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        manager.applyPartitionState(other, leader(1, List.of(LOCAL)));
        int batchSize = batch(1).remaining();
        for (int i = 0; i < 3; i++) {
            produce(RequiredAcks.LEADER, batch(1));
            manager.appendRecords(RequiredAcks.LEADER, 1_000, Map.of(other, batch(1)), r -> {});
        }
        AtomicReference<Map<TopicPartition, FetchedPartition>> result = new AtomicReference<>();
        List<FetchPartitionRequest> both = List.of(
                new FetchPartitionRequest(TP, 0, 1 << 20, -1), new FetchPartitionRequest(other, 0, 1 << 20, -1));
        manager.fetch(new FetchParams(0, 0, 1), both, result::set);
        assertEquals(batchSize, result.get().get(TP).records().remaining(), "one batch although larger than max_bytes");
        assertEquals(0, result.get().get(other).records().remaining(), "nothing left for the next partition");

        manager.fetch(new FetchParams(0, 0, 2 * batchSize), both, result::set);
        assertEquals(2 * batchSize, result.get().get(TP).records().remaining());
        assertEquals(0, result.get().get(other).records().remaining());

        manager.fetch(
                new FetchParams(0, 0, 1 << 20),
                List.of(
                        new FetchPartitionRequest(TP, 0, batchSize, -1),
                        new FetchPartitionRequest(other, 0, 2 * batchSize, -1)),
                result::set);
        assertEquals(batchSize, result.get().get(TP).records().remaining(), "partition_max_bytes");
        assertEquals(2 * batchSize, result.get().get(other).records().remaining());
    }

    @Test
    void fetchErrorsAreTyped() {
        manager.applyPartitionState(TP, leader(2, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(1));
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(5, 0, 0).get().get(TP).error().code());
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(-1, 0, 0).get().get(TP).error().code());
        AtomicReference<Map<TopicPartition, FetchedPartition>> fenced = new AtomicReference<>();
        manager.fetch(new FetchParams(0, 0, 100), List.of(new FetchPartitionRequest(TP, 0, 100, 1)), fenced::set);
        assertEquals(ErrorCode.FENCED_LEADER_EPOCH, fenced.get().get(TP).error().code());
        manager.fetch(new FetchParams(0, 0, 100), List.of(new FetchPartitionRequest(TP, 0, 100, 3)), fenced::set);
        assertEquals(
                ErrorCode.UNKNOWN_LEADER_EPOCH, fenced.get().get(TP).error().code());
        TopicPartition other = new TopicPartition("t", 9);
        manager.fetch(new FetchParams(0, 0, 100), List.of(new FetchPartitionRequest(other, 0, 100, -1)), fenced::set);
        assertEquals(ErrorCode.NOT_LEADER, fenced.get().get(other).error().code());
    }

    @Test
    void corruptBatchesAreRefusedWholeAndTheLogIsUnchanged() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        ByteBuffer good = batch(2);
        ByteBuffer bad = batch(2);
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) ^ 1));
        ByteBuffer both = ByteBuffer.allocate(good.remaining() + bad.remaining())
                .put(good)
                .put(bad)
                .flip();
        assertEquals(
                ErrorCode.CORRUPT_BATCH,
                produce(RequiredAcks.LEADER, both).get().get(TP).error().code());
        assertEquals(0, logs.get(TP).logEndOffset());
    }

    @Test
    void removingAPartitionAnswersItsWaitersAndDeletesTheLog() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        manager.removePartition(TP, true);
        assertEquals(ErrorCode.NOT_LEADER, acked.get().get(TP).error().code());
        assertEquals(List.of(TP), deleted);
        assertTrue(manager.partition(TP).isEmpty());
    }

    @Test
    void closeAnswersEveryWaiter() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        var acked = produce(RequiredAcks.ALL, batch(1));
        var fetched = fetch(0, 60_000, 1);
        manager.close();
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, acked.get().get(TP).error().code());
        assertNotNull(fetched.get());
    }

    @Test
    void anErrorInAFetchStepIsLeftToTheFetchersThread() {
        OutOfMemoryError injected = new OutOfMemoryError("injected into a fetch");
        ReplicaManager follower = manager((leader, replica, params, partitions, full, timeout) -> {
            throw injected;
        });
        try {
            follower.applyPartitionState(TP, new LeaderAndIsr(2, 1, 1, List.of(1, 2), List.of(1, 2)));
            await().atMost(Duration.ofSeconds(10)).until(() -> fatalErrors.contains(injected));
        } finally {
            follower.close();
        }
    }

    @Test
    void aRequestHeldAtTheLeaderIsSentAgainOncePerViewThatAddsPartitionsButNotForAnIsrChange() {
        // The leader holds every request: nothing but a resend can name a partition added meanwhile.
        List<CompletableFuture<Map<TopicPartition, ReplicaFetchResult>>> held =
                Collections.synchronizedList(new ArrayList<>());
        List<Set<TopicPartition>> named = Collections.synchronizedList(new ArrayList<>());
        ReplicaManager follower = manager((leader, replica, params, partitions, full, timeout) -> {
            Set<TopicPartition> tps = new java.util.HashSet<>();
            partitions.forEach(p -> tps.add(p.tp()));
            named.add(tps);
            CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = new CompletableFuture<>();
            held.add(answer);
            return answer;
        });
        TopicPartition tp2 = new TopicPartition("t", 1);
        TopicPartition tp3 = new TopicPartition("t", 2);
        LeaderAndIsr led = new LeaderAndIsr(2, 1, 1, List.of(1, 2), List.of(1, 2));
        try {
            follower.applyPartitionStates(Map.of(TP, led));
            await().atMost(Duration.ofSeconds(10)).until(() -> named.size() == 1);
            assertEquals(Set.of(TP), named.get(0));

            Map<TopicPartition, LeaderAndIsr> newLeaderships = new java.util.LinkedHashMap<>();
            newLeaderships.put(tp2, led);
            newLeaderships.put(tp3, led);
            follower.applyPartitionStates(newLeaderships);
            await().atMost(Duration.ofSeconds(10)).until(() -> named.size() == 2);
            assertEquals(Set.of(TP, tp2, tp3), named.get(1), "sent again at once, naming both new partitions");
            assertTrue(held.get(0).isCancelled(), "the held request was given up");

            follower.applyPartitionStates(Map.of(TP, new LeaderAndIsr(2, 1, 2, List.of(1, 2), List.of(2))));
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> named.size() == 2 && !held.get(1).isDone());
        } finally {
            follower.close();
        }
    }

    @Test
    void aBrokerThatIsNotAReplicaIsRefusedBeforeItsPositionIsLookedAt() {
        manager.applyPartitionState(TP, leader(1, List.of(LOCAL)));
        produce(RequiredAcks.LEADER, batch(2));
        // Epoch 0 ends at 0 on this leader: a replica fetching from 2 would be told where it diverges.
        ReplicaFetchResult refused = followerFetch(7, 2, 0);
        assertEquals(ErrorCode.NOT_REPLICA, refused.error().code(), String.valueOf(refused));
        assertNull(refused.divergingEpoch());
        assertEquals(ErrorCode.NOT_REPLICA, followerFetch(LOCAL, 2).error().code(), "the leader is no follower");
        assertEquals(List.of(), isrChangesSent);
    }

    @Test
    void aFollowerThatDiedCaughtUpStopsHoldingAcksAllOnceItIsFenced() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2, 3)));
        produce(RequiredAcks.LEADER, batch(2));
        assertNull(followerFetch(2, 2).error());
        assertNull(followerFetch(3, 2).error());
        assertEquals(2, manager.partition(TP).orElseThrow().highWatermark());

        // 3 is killed. An acks=all produce waits for it until the controller fences it, which takes it out of
        // every ISR; the broker learns both from the same metadata (the fenced set first).
        AtomicReference<Map<TopicPartition, ProduceOutcome>> waiting = produce(RequiredAcks.ALL, batch(3));
        assertNull(followerFetch(2, 5).error());
        assertNull(waiting.get(), "3, in the ISR, does not have the batch");
        manager.setFencedBrokers(Set.of(3));
        manager.applyPartitionState(TP, new LeaderAndIsr(LOCAL, 1, 2, List.of(1, 2, 3), List.of(1, 2)));
        assertEquals(
                5, manager.partition(TP).orElseThrow().highWatermark(), "3 caught up before it died, but is fenced");
        assertNotNull(waiting.get(), "answered without waiting replica.lag.time.max.ms for a dead follower");
        assertNull(waiting.get().get(TP).error());
    }

    @Test
    void aFencedBrokerIsRefusedWithoutMovingTheHighWatermarkOrAskingForAnIsrChange() {
        manager.applyPartitionState(TP, leader(1, List.of(1, 2)));
        produce(RequiredAcks.LEADER, batch(2));
        manager.setFencedBrokers(Set.of(2, 3));

        assertEquals(ErrorCode.BROKER_FENCED, followerFetch(2, 2).error().code());
        assertEquals(ErrorCode.BROKER_FENCED, followerFetch(3, 2).error().code());
        assertEquals(0, manager.partition(TP).orElseThrow().highWatermark(), "2's end offset was not recorded");
        assertEquals(List.of(), isrChangesSent, "3 caught up, but is fenced: no ISR expansion is asked for");

        manager.setFencedBrokers(Set.of());
        assertNull(followerFetch(2, 2).error());
        assertEquals(2, manager.partition(TP).orElseThrow().highWatermark());
        assertNull(followerFetch(3, 2).error());
        assertEquals(List.of(List.of(1, 2, 3)), isrChangesSent, "once unfenced, 3 rejoins the ISR");
    }
}
