package io.ferry.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.replication.LeaderAndIsr;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The leader's bookkeeping on its own: follower progress, the high watermark candidate, ISR decisions. */
class LeaderRoleTest {
    private static final IntPredicate NOT_FENCED = id -> false;

    private static final long LAG_MS = 1_000;
    private static final long START_MS = 50_000;

    private static LeaderRole leader(List<Integer> isr) {
        return new LeaderRole(1, new LeaderAndIsr(1, 3, 7, List.of(1, 2, 3), isr), 10, START_MS);
    }

    @Test
    void theHighWatermarkIsTheSmallestEndOffsetOverTheIsrAndWaitsForEveryMemberToBeHeard() {
        LeaderRole leader = leader(List.of(1, 2, 3));
        assertEquals(
                OptionalLong.empty(),
                leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED),
                "no follower has fetched from this leadership yet");
        leader.updateFollower(2, 15, 20, START_MS);
        assertEquals(
                OptionalLong.empty(),
                leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED),
                "3 is still unknown");
        leader.updateFollower(3, 12, 20, START_MS);
        assertEquals(OptionalLong.of(12), leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED));
        leader.updateFollower(3, 20, 20, START_MS);
        assertEquals(OptionalLong.of(15), leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED));
    }

    @Test
    void aLeaderAloneInTheIsrCommitsItsOwnLogEnd() {
        assertEquals(OptionalLong.of(20), leader(List.of(1)).highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED));
    }

    @Test
    void whileAChangeIsWithTheControllerTheLargerOfTheTwoSetsCounts() {
        LeaderRole leader = leader(List.of(1, 2, 3));
        leader.updateFollower(2, 20, 20, START_MS);
        leader.updateFollower(3, 12, 20, START_MS);
        leader.isrChangeSent(List.of(1, 2));
        assertEquals(Set.of(1, 2, 3), leader.maximalIsr());
        assertEquals(
                OptionalLong.of(12),
                leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED),
                "3 may stay in the ISR if the controller refuses the shrink");
        leader.isrChangeRefused();
        assertEquals(Set.of(1, 2, 3), leader.maximalIsr());
    }

    @Test
    void aCaughtUpFollowerOutsideTheIsrHoldsTheHighWatermarkUntilItJoins() {
        LeaderRole leader = leader(List.of(1));
        // 3 fetched everything the leader had at its previous fetch: caught up, one batch behind the log end.
        leader.updateFollower(3, 18, 18, START_MS);
        leader.updateFollower(3, 18, 20, START_MS + 10);
        assertEquals(
                OptionalLong.of(18),
                leader.highWatermarkCandidate(20, START_MS + 10, LAG_MS, NOT_FENCED),
                "under a steady load a follower never reaches the log end itself");
        assertEquals(List.of(1, 3), leader.expandedIsr(3, 18), "at the high watermark, it joins");
        // Once it has not caught up for the lag limit, it holds nothing back.
        assertEquals(
                OptionalLong.of(20), leader.highWatermarkCandidate(20, START_MS + 10 + LAG_MS + 1, LAG_MS, NOT_FENCED));
    }

    @Test
    void aFencedFollowerOutsideTheIsrHoldsNothingEvenWhenItWasCaughtUp() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(2, 20, 20, START_MS);
        // 3 died caught up; the controller fenced it and took it out of the ISR.
        leader.updateFollower(3, 18, 18, START_MS);
        leader.updateFollower(3, 18, 20, START_MS + 10);
        assertEquals(
                OptionalLong.of(20),
                leader.highWatermarkCandidate(20, START_MS + 10, LAG_MS, id -> id == 3),
                "a fenced broker cannot join the ISR, so it does not hold acks=all for the lag limit");
    }

    @Test
    void aFollowerOutsideTheIsrHoldsNothingBeforeItCatchesUpWithThisLeadership() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(2, 20, 20, START_MS);
        leader.updateFollower(3, 4, 20, START_MS);
        assertEquals(
                OptionalLong.of(20),
                leader.highWatermarkCandidate(20, START_MS, LAG_MS, NOT_FENCED),
                "3, far behind, does not stall the partition");
        assertEquals(List.of(), leader.expandedIsr(3, 20));
    }

    @Test
    void aFollowerJoinsOnlyAtTheHighWatermarkAndTheStartOfThisLeadershipWithNoChangePending() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(3, 9, 20, START_MS);
        assertEquals(List.of(), leader.expandedIsr(3, 5), "below the epoch start offset 10");
        leader.updateFollower(3, 12, 20, START_MS);
        assertEquals(List.of(), leader.expandedIsr(3, 15), "below the high watermark");
        assertEquals(List.of(1, 2, 3), leader.expandedIsr(3, 12));
        leader.isrChangeSent(List.of(1, 2, 3));
        assertEquals(List.of(), leader.expandedIsr(3, 12), "one change at a time");
        assertEquals(List.of(), leader.expandedIsr(2, 0), "already a member");
    }

    @Test
    void aFollowerThatHasNotCaughtUpForTheLagLimitLeavesTheIsr() {
        LeaderRole leader = leader(List.of(1, 2, 3));
        assertEquals(List.of(), leader.shrunkIsr(START_MS + LAG_MS, LAG_MS), "a full lag period from the start");
        leader.updateFollower(2, 20, 20, START_MS + 500);
        leader.updateFollower(3, 5, 20, START_MS + 500);
        assertEquals(List.of(1, 2), leader.shrunkIsr(START_MS + LAG_MS + 1, LAG_MS));
        leader.isrChangeSent(List.of(1, 2));
        assertEquals(List.of(), leader.shrunkIsr(START_MS + 10 * LAG_MS, LAG_MS), "one change at a time");
    }

    @Test
    void aFollowerAskingForWhatWasTheLogEndAtItsPreviousFetchWasCaughtUpThen() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(2, 15, 20, START_MS + 900);
        leader.updateFollower(2, 20, 25, START_MS + 1_800);
        assertEquals(
                List.of(), leader.shrunkIsr(START_MS + 1_900, LAG_MS), "caught up at 900, when the log ended at 20");
        assertEquals(List.of(1), leader.shrunkIsr(START_MS + 1_901, LAG_MS));
    }

    @Test
    void aNewIsrKeepsFollowerProgressAndSettlesTheChangeThatMadeIt() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(2, 20, 20, START_MS);
        leader.updateFollower(3, 20, 20, START_MS);
        leader.isrChangeSent(List.of(1, 2, 3));
        LeaderRole same = leader.withState(new LeaderAndIsr(1, 3, 7, List.of(1, 2, 3), List.of(1, 2)), START_MS);
        assertEquals(Set.of(1, 2, 3), same.maximalIsr(), "the same partition epoch: still pending");
        LeaderRole expanded =
                leader.withState(new LeaderAndIsr(1, 3, 8, List.of(1, 2, 3), List.of(1, 2, 3)), START_MS + 10);
        assertEquals(Set.of(1, 2, 3), expanded.maximalIsr());
        assertEquals(
                OptionalLong.of(20),
                expanded.highWatermarkCandidate(20, START_MS + 10, LAG_MS, NOT_FENCED),
                "both followers' end offsets were kept");
        assertEquals(List.of(), expanded.expandedIsr(3, 0), "3 is a member now");
    }

    @Test
    void aFollowerThatJoinsWithoutEverReachingTheLogEndGetsAFullLagPeriod() {
        LeaderRole leader = leader(List.of(1, 2));
        leader.updateFollower(2, 15, 20, START_MS);
        leader.updateFollower(3, 15, 20, START_MS);
        long joined = START_MS + 5 * LAG_MS;
        LeaderRole expanded = leader.withState(new LeaderAndIsr(1, 3, 8, List.of(1, 2, 3), List.of(1, 2, 3)), joined);
        assertEquals(List.of(1, 3), expanded.shrunkIsr(joined + LAG_MS, LAG_MS), "2 has lagged since the start");
        assertEquals(List.of(1), expanded.shrunkIsr(joined + LAG_MS + 1, LAG_MS));
    }

    @Test
    void onlyTheNamedLeaderLeadsAndOnlyReplicasFollow() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new LeaderRole(2, new LeaderAndIsr(1, 3, 7, List.of(1, 2), List.of(1, 2)), 0, START_MS));
        LeaderRole leader = leader(List.of(1, 2, 3));
        assertTrue(leader.isFollower(2));
        assertFalse(leader.isFollower(1), "the leader is no follower of itself");
        assertFalse(leader.isFollower(9));
        assertThrows(IllegalArgumentException.class, () -> leader.updateFollower(9, 0, 0, START_MS));
        assertTrue(leader(List.of(1, 2)).isUnderReplicated());
        assertFalse(leader.isUnderReplicated());
    }
}
