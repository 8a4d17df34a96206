package io.ferry.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.EpochEntry;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.StorageException;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One replica's role moves, its leader and follower sides, and the fetch protocol between two of them,
 * driven by hand: an in-memory log, a clock the test sets, no fetcher, socket or timer.
 */
class PartitionTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);
    private static final long LAG_MS = 1_000;

    /** A clock the test moves. */
    private static final class TestClock implements InstantSource {
        long millis = 1_000_000;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final TestClock clock = new TestClock();

    private Partition replica(int broker, ReplicaLog log) {
        return new Partition(TP, broker, log, clock, LAG_MS, id -> false);
    }

    private static LeaderAndIsr led(int leader, int epoch, List<Integer> isr) {
        return new LeaderAndIsr(leader, epoch, epoch, REPLICAS, isr);
    }

    private static ByteBuffer batch(String value) {
        return RecordBatchBuilder.create(CompressionType.NONE)
                .append(1_000, null, value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private static void append(Partition leader, int batches) throws Exception {
        for (int i = 0; i < batches; i++) {
            leader.appendAsLeader(batch("v" + i), RequiredAcks.LEADER, 1);
        }
    }

    /** One fetch round from {@code follower} to {@code leader}, as the fetcher and the leader's request path make it. */
    private static ReplicaFetchResult fetch(Partition follower, int followerId, Partition leader, int epoch)
            throws ReplicationException {
        return fetch(follower, followerId, leader, epoch, 1 << 20);
    }

    private static ReplicaFetchResult fetch(
            Partition follower, int followerId, Partition leader, int epoch, int maxBytes) throws ReplicationException {
        ReplicaFetchPartition position = follower.fetchPosition(epoch, maxBytes).orElseThrow();
        Partition.FollowerFetch arrived = leader.followerFetched(followerId, position);
        ReplicaFetchResult answer = arrived.answer() != null ? arrived.answer() : leader.readForFollower(position);
        follower.applyLeaderAnswer(position, answer);
        return answer;
    }

    @Test
    void becomingLeaderRecordsTheEpochAtTheLogEndBeforeAnyAppendAndAnOlderStateIsIgnored() throws Exception {
        MemoryReplicaLog log = new MemoryReplicaLog();
        Partition p = replica(1, log);
        assertTrue(p.apply(led(1, 1, List.of(1))).newLeadership());
        append(p, 2);
        assertTrue(p.apply(led(1, 3, List.of(1))).newLeadership());
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(3, 2)), log.epochEntries());
        assertFalse(
                p.apply(new LeaderAndIsr(1, 3, 4, REPLICAS, List.of(1, 2))).newLeadership(), "only the ISR changed");
        p.apply(led(2, 2, List.of(2)));
        assertTrue(p.isLeaderAt(3), "epoch 2 is older than 3");
        assertEquals(Optional.empty(), p.followedState());
    }

    @Test
    void aFollowerRefusesClientsNamingItsLeaderAndAReplicaWithoutLeaderIsOffline() {
        Partition p = replica(1, new MemoryReplicaLog());
        p.apply(led(2, 4, REPLICAS));
        assertEquals(Optional.of(led(2, 4, REPLICAS)), p.followedState());
        ReplicationException refused =
                assertThrows(ReplicationException.class, () -> p.appendAsLeader(batch("x"), RequiredAcks.LEADER, 1));
        assertEquals(ErrorCode.NOT_LEADER, refused.error().code());
        assertEquals(2, refused.error().leaderId());
        assertEquals(4, refused.error().leaderEpoch());

        p.apply(new LeaderAndIsr(LeaderAndIsr.NO_LEADER, 5, 5, REPLICAS, List.of(2)));
        assertEquals("offline", p.snapshot().role());
        assertEquals(Optional.empty(), p.followedState());
    }

    @Test
    void acksAllIsRefusedBeforeTheAppendWhenTheIsrIsBelowMinInsyncReplicas() throws Exception {
        MemoryReplicaLog log = new MemoryReplicaLog();
        Partition p = replica(1, log);
        p.apply(led(1, 1, List.of(1, 2)));
        ReplicationException refused =
                assertThrows(ReplicationException.class, () -> p.appendAsLeader(batch("x"), RequiredAcks.ALL, 3));
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.error().code());
        assertEquals(0, log.logEndOffset());
        Partition.LeaderAppend appended = p.appendAsLeader(batch("x"), RequiredAcks.ALL, 2);
        assertEquals(0, appended.info().firstOffset());
        assertFalse(appended.highWatermarkAdvanced(), "2 has not fetched it");
        assertEquals(2, p.maximalIsrSize());
    }

    @Test
    void aFollowerFetchMovesTheHighWatermarkAndACaughtUpReplicaAsksToRejoinTheIsr() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1, 2)));
        append(leader, 3);
        Partition.FollowerFetch from2 = leader.followerFetched(2, new ReplicaFetchPartition(TP, 3, 1, 1, 1 << 20));
        assertTrue(from2.highWatermarkAdvanced());
        assertEquals(3, leader.highWatermark());
        assertNull(from2.isrChange());
        Partition.FollowerFetch from3 = leader.followerFetched(3, new ReplicaFetchPartition(TP, 3, 1, 1, 1 << 20));
        assertEquals(new Partition.IsrChange(TP, 1, 1, List.of(1, 2, 3), true), from3.isrChange());
        assertEquals(3, leader.maximalIsrSize(), "the pending expansion counts");

        assertEquals(
                ErrorCode.NOT_REPLICA,
                assertThrows(
                                ReplicationException.class,
                                () -> leader.followerFetched(9, new ReplicaFetchPartition(TP, 3, 1, 1, 1 << 20)))
                        .error()
                        .code());
        assertEquals(
                ErrorCode.FENCED_LEADER_EPOCH,
                assertThrows(
                                ReplicationException.class,
                                () -> leader.followerFetched(2, new ReplicaFetchPartition(TP, 3, 0, 1, 1 << 20)))
                        .error()
                        .code());
        assertEquals(
                ErrorCode.UNKNOWN_LEADER_EPOCH,
                assertThrows(
                                ReplicationException.class,
                                () -> leader.followerFetched(2, new ReplicaFetchPartition(TP, 3, 2, 1, 1 << 20)))
                        .error()
                        .code());
    }

    @Test
    void aFollowerCopiesTheLeadersBatchesAndTakesItsHighWatermarkNeverAboveItsOwnLogEnd() throws Exception {
        MemoryReplicaLog leaderLog = new MemoryReplicaLog();
        MemoryReplicaLog followerLog = new MemoryReplicaLog();
        Partition leader = replica(1, leaderLog);
        Partition follower = replica(2, followerLog);
        leader.apply(led(1, 1, List.of(1)));
        follower.apply(led(1, 1, List.of(1)));
        append(leader, 4);
        assertEquals(4, leader.highWatermark(), "an ISR of one commits on append");
        ReplicaFetchResult answer = fetch(follower, 2, leader, 1, 1);
        assertEquals(4, answer.highWatermark());
        assertEquals(1, followerLog.logEndOffset(), "one batch, though larger than max bytes");
        assertEquals(1, follower.highWatermark(), "the leader's, capped at the follower's log end");
        fetch(follower, 2, leader, 1);
        assertEquals(4, followerLog.logEndOffset());
        assertEquals(4, follower.highWatermark());
        assertEquals(leaderLog.epochEntries(), followerLog.epochEntries());
        assertEquals(1, leaderLog.batchAt(1).partitionLeaderEpoch());
        assertEquals(
                1, followerLog.batchAt(1).partitionLeaderEpoch(), "offsets and epochs kept as the leader wrote them");
    }

    @Test
    void aFormerLeaderTruncatesWhereItsLogDivergesFromTheNewLeadersNotAtItsHighWatermark() throws Exception {
        MemoryReplicaLog oldLog = new MemoryReplicaLog();
        MemoryReplicaLog newLog = new MemoryReplicaLog();
        Partition old = replica(1, oldLog);
        Partition next = replica(2, newLog);
        old.apply(led(1, 1, List.of(1, 2)));
        next.apply(led(1, 1, List.of(1, 2)));
        append(old, 3);
        fetch(next, 2, old, 1);
        append(old, 2);
        fetch(next, 2, old, 1);
        assertEquals(3, old.highWatermark(), "the leader has not heard that 2 holds offsets 3 and 4");
        // Two more batches reach only the old leader; then 2 leads at epoch 2 and appends its own.
        append(old, 2);
        old.apply(led(2, 2, List.of(2)));
        next.apply(led(2, 2, List.of(2)));
        append(next, 3);

        ReplicaFetchResult diverging = fetch(old, 1, next, 2);
        assertEquals(new EpochEndOffset(1, 5), diverging.divergingEpoch());
        assertEquals(5, oldLog.logEndOffset(), "cut where epoch 1 ends on the new leader, above the high watermark 3");
        fetch(old, 1, next, 2);
        assertEquals(8, oldLog.logEndOffset());
        for (long offset = 0; offset < 8; offset++) {
            assertEquals(
                    newLog.batchAt(offset).producerId(), oldLog.batchAt(offset).producerId());
            assertEquals(
                    newLog.batchAt(offset).partitionLeaderEpoch(),
                    oldLog.batchAt(offset).partitionLeaderEpoch());
        }
    }

    @Test
    void aLeaderDeposedBeforeItAppendedFollowsANewLeaderThatNeverHadItsEpoch() throws Exception {
        MemoryReplicaLog deposedLog = new MemoryReplicaLog();
        MemoryReplicaLog newLog = new MemoryReplicaLog();
        Partition deposed = replica(1, deposedLog);
        Partition next = replica(2, newLog);
        deposed.apply(led(2, 1, List.of(2)));
        next.apply(led(2, 1, List.of(2)));
        append(next, 2);
        fetch(deposed, 1, next, 1);
        // 1 leads epoch 2 and appends nothing; 2 leads again at epoch 3, without ever having seen epoch 2.
        deposed.apply(led(1, 2, List.of(1)));
        next.apply(led(2, 3, List.of(2)));
        deposed.apply(led(2, 3, List.of(2)));
        append(next, 1);

        assertEquals(new EpochEndOffset(1, 2), fetch(deposed, 1, next, 3).divergingEpoch());
        assertEquals(
                1,
                deposed.fetchPosition(3, 1 << 20).orElseThrow().lastFetchedEpoch(),
                "epoch 2, with no batch, is forgotten: the next fetch does not diverge again");
        fetch(deposed, 1, next, 3);
        assertEquals(3, deposedLog.logEndOffset());
    }

    @Test
    void aFollowerOutsideTheLeadersLogRangeTruncatesToItsEndOrStartsOverAtItsStart() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1)));
        append(leader, 6);
        MemoryReplicaLog aheadLog = new MemoryReplicaLog();
        aheadLog.truncateFullyAndStartAt(10);
        Partition ahead = replica(2, aheadLog);
        ahead.apply(led(1, 1, List.of(1)));
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(ahead, 2, leader, 1).error().code());
        assertEquals(6, aheadLog.logEndOffset(), "truncated to the leader's log end");

        assertEquals(4, leader.deleteRecordsBefore(4));
        MemoryReplicaLog behindLog = new MemoryReplicaLog();
        Partition behind = replica(3, behindLog);
        behind.apply(led(1, 1, List.of(1)));
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(behind, 3, leader, 1).error().code());
        assertEquals(4, behindLog.logStartOffset(), "starts over at the leader's log start");
        fetch(behind, 3, leader, 1);
        assertEquals(6, behindLog.logEndOffset());
    }

    @Test
    void aDivergenceAnswerThatChangesNothingIsRefusedSoTheFetcherBacksOffInsteadOfAskingAgainAtOnce() throws Exception {
        MemoryReplicaLog followerLog = new MemoryReplicaLog();
        Partition leader = replica(1, new MemoryReplicaLog());
        Partition follower = replica(2, followerLog);
        leader.apply(led(1, 1, List.of(1, 2)));
        follower.apply(led(1, 1, List.of(1, 2)));
        append(leader, 2);
        fetch(follower, 2, leader, 1);
        ReplicaFetchPartition position = follower.fetchPosition(1, 1 << 20).orElseThrow();
        // Where epoch 1 ends is this log's end already: truncating there removes nothing.
        ReplicaFetchResult noOp = new ReplicaFetchResult(
                null, 2, 0, 2, new EpochEndOffset(1, 2), ByteBuffer.allocate(0).asReadOnlyBuffer());
        ReplicationException refused =
                assertThrows(ReplicationException.class, () -> follower.applyLeaderAnswer(position, noOp));
        assertTrue(refused.getMessage().contains("changes nothing"), refused.getMessage());
        assertEquals(2, followerLog.logEndOffset());
        assertEquals(position, follower.fetchPosition(1, 1 << 20).orElseThrow());
    }

    @Test
    void anAnswerToAFetchFromAnOlderEpochOrAnOlderPositionIsIgnored() throws Exception {
        MemoryReplicaLog followerLog = new MemoryReplicaLog();
        Partition leader = replica(1, new MemoryReplicaLog());
        Partition follower = replica(2, followerLog);
        leader.apply(led(1, 1, List.of(1)));
        follower.apply(led(1, 1, List.of(1)));
        append(leader, 2);
        ReplicaFetchPartition position = follower.fetchPosition(1, 1 << 20).orElseThrow();
        ReplicaFetchResult answer = leader.readForFollower(position);
        follower.apply(led(1, 2, List.of(1)));
        follower.applyLeaderAnswer(position, answer);
        assertEquals(0, followerLog.logEndOffset(), "the answer was for epoch 1");
        assertEquals(Optional.empty(), follower.fetchPosition(1, 1 << 20));
    }

    @Test
    void aFollowerRejoinsTheIsrUnderASteadyLoadThatKeepsTheLeadersLogEndAheadOfEveryFetch() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        Partition follower = replica(2, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1)));
        follower.apply(led(1, 1, List.of(1)));
        Partition.IsrChange expansion = null;
        for (int round = 0; round < 10 && expansion == null; round++) {
            append(leader, 1);
            // The batch arrived before the follower's fetch: it never asks for the leader's log end.
            ReplicaFetchPartition position = follower.fetchPosition(1, 1 << 20).orElseThrow();
            expansion = leader.followerFetched(2, position).isrChange();
            follower.applyLeaderAnswer(position, leader.readForFollower(position));
            clock.millis += 10;
        }
        // Caught up with the previous fetch's log end, the follower holds the high watermark and so reaches it.
        assertEquals(new Partition.IsrChange(TP, 1, 1, List.of(1, 2), true), expansion);
        assertEquals(2, leader.highWatermark());
    }

    @Test
    void aLaggingFollowerLeavesTheIsrThroughTheControllerAndTheAnswerBecomesTheState() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1, 2)));
        append(leader, 2);
        assertEquals(Optional.empty(), leader.maybeShrinkIsr(), "2 gets a full lag period");
        clock.millis += LAG_MS + 1;
        Partition.IsrChange shrink = leader.maybeShrinkIsr().orElseThrow();
        assertEquals(new Partition.IsrChange(TP, 1, 1, List.of(1), false), shrink);
        assertEquals(0, leader.highWatermark(), "2 still counts while the controller decides");
        assertEquals(Optional.of(shrink), leader.unansweredIsrChange(shrink), "unanswered: it stays pending");
        assertTrue(leader.isrChangeAccepted(shrink, new LeaderAndIsr(1, 1, 2, REPLICAS, List.of(1))));
        assertEquals(2, leader.highWatermark());
        assertEquals(Optional.empty(), leader.unansweredIsrChange(shrink), "settled");
        assertFalse(
                leader.isrChangeAccepted(shrink, new LeaderAndIsr(1, 1, 2, REPLICAS, List.of(1))),
                "the same answer again changes nothing");
    }

    @Test
    void aRefusedIsrChangeIsDroppedAndAnotherMayBeAsked() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1, 2)));
        clock.millis += LAG_MS + 1;
        Partition.IsrChange shrink = leader.maybeShrinkIsr().orElseThrow();
        assertEquals(Optional.empty(), leader.maybeShrinkIsr(), "one change at a time");
        leader.isrChangeRefused(shrink);
        assertEquals(Optional.of(shrink), leader.maybeShrinkIsr());
    }

    @Test
    void consumersReadBelowTheHighWatermarkAndFollowersUpToTheLogEnd() throws Exception {
        Partition leader = replica(1, new MemoryReplicaLog());
        leader.apply(led(1, 1, List.of(1, 2)));
        append(leader, 3);
        leader.followerFetched(2, new ReplicaFetchPartition(TP, 1, 1, 1, 1 << 20));
        int oneBatch = batch("v0").remaining();
        assertEquals(oneBatch, leader.readForConsumer(0, 1 << 20, 1).records().remaining());
        assertEquals(0, leader.readForConsumer(1, 1 << 20, -1).records().remaining(), "committed up to 1 only");
        assertEquals(
                2 * oneBatch,
                leader.readForFollower(new ReplicaFetchPartition(TP, 1, 1, 1, 1 << 20))
                        .records()
                        .remaining());
        assertEquals(new OffsetAndEpoch(1, -1, 1), leader.listOffset(-1));
        assertEquals(new OffsetAndEpoch(0, -1, 1), leader.listOffset(-2));
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                assertThrows(ReplicationException.class, () -> leader.deleteRecordsBefore(2))
                        .error()
                        .code(),
                "above the high watermark");
    }

    @Test
    void aNewLeaderAnswersNoEndOffsetUntilItsHighWatermarkReachesTheStartOfItsEpoch() throws Exception {
        Partition first = replica(1, new MemoryReplicaLog());
        Partition second = replica(2, new MemoryReplicaLog());
        Partition third = replica(3, new MemoryReplicaLog());
        first.apply(led(1, 1, REPLICAS));
        second.apply(led(1, 1, REPLICAS));
        third.apply(led(1, 1, REPLICAS));
        append(first, 3);
        fetch(second, 2, first, 1);
        fetch(third, 3, first, 1);
        fetch(second, 2, first, 1);
        fetch(third, 3, first, 1);
        assertEquals(new OffsetAndEpoch(3, -1, 1), first.listOffset(-1), "the old leader answered 3");
        assertTrue(second.highWatermark() < 3, "followers learn the high watermark a fetch later");

        // Broker 1 dies; 2 leads with 3 in its ISR, which has not fetched at epoch 2 yet.
        second.apply(led(2, 2, List.of(2, 3)));
        third.apply(led(2, 2, List.of(2, 3)));
        for (long timestamp : new long[] {-1, 1_000}) {
            assertEquals(
                    ErrorCode.OFFSET_NOT_AVAILABLE,
                    assertThrows(ReplicationException.class, () -> second.listOffset(timestamp))
                            .error()
                            .code(),
                    "an answer below 3 would step the end offset back");
        }
        assertEquals(new OffsetAndEpoch(0, -1, 2), second.listOffset(-2), "the earliest offset does not depend on it");
        assertEquals(0, second.readForConsumer(3, 1 << 20, 2).records().remaining(), "a consumer at 3 waits");

        fetch(third, 3, second, 2);
        assertEquals(new OffsetAndEpoch(3, -1, 2), second.listOffset(-1));
    }

    @Test
    void aLogThatFailsTakesTheReplicaOffline() {
        Partition p = replica(1, new ForwardingReplicaLog(new MemoryReplicaLog()) {
            @Override
            public LogAppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) {
                throw new StorageException("the disk is gone");
            }
        });
        p.apply(led(1, 1, List.of(1)));
        assertEquals(
                ErrorCode.STORAGE_ERROR,
                assertThrows(ReplicationException.class, () -> p.appendAsLeader(batch("x"), RequiredAcks.LEADER, 1))
                        .error()
                        .code());
        assertEquals("offline", p.snapshot().role());
        p.apply(led(1, 2, List.of(1)));
        assertTrue(p.isLeaderAt(2), "the next state brings it back");
    }
}
