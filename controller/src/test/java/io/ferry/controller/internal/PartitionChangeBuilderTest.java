package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class PartitionChangeBuilderTest {
    private static final PartitionRecord P = PartitionRecord.newBuilder()
            .setTopic("t")
            .setTopicId("id")
            .setPartition(0)
            .addAllReplicas(List.of(1, 2, 3))
            .addAllIsr(List.of(1, 2, 3))
            .setLeader(1)
            .setLeaderEpoch(4)
            .setPartitionEpoch(9)
            .build();

    private static IntPredicate alive(Integer... ids) {
        return Set.of(ids)::contains;
    }

    @Test
    void deadLeaderIsReplacedByNextIsrMemberWithBothEpochsBumped() {
        PartitionChangeRecord c =
                new PartitionChangeBuilder(P, alive(2, 3)).build().orElseThrow();
        assertEquals(9, c.getExpectedPartitionEpoch());
        assertEquals(2, c.getPartition().getLeader());
        assertEquals(List.of(2, 3), c.getPartition().getIsrList());
        assertEquals(5, c.getPartition().getLeaderEpoch());
        assertEquals(10, c.getPartition().getPartitionEpoch());
    }

    @Test
    void deadFollowerLeavesIsrAndOnlyPartitionEpochMoves() {
        PartitionRecord next =
                new PartitionChangeBuilder(P, alive(1, 2)).build().orElseThrow().getPartition();
        assertEquals(1, next.getLeader());
        assertEquals(List.of(1, 2), next.getIsrList());
        assertEquals(4, next.getLeaderEpoch());
        assertEquals(10, next.getPartitionEpoch());
    }

    @Test
    void noChangeWhenEveryoneIsAlive() {
        assertTrue(new PartitionChangeBuilder(P, alive(1, 2, 3)).build().isEmpty());
    }

    @Test
    void withNoLiveIsrMemberThePartitionGoesOfflineAndKeepsItsLastIsr() {
        PartitionRecord onlyThree =
                P.toBuilder().clearIsr().addIsr(3).setLeader(3).build();
        PartitionRecord next = new PartitionChangeBuilder(onlyThree, alive(1, 2))
                .build()
                .orElseThrow()
                .getPartition();
        assertEquals(PartitionChangeBuilder.NO_LEADER, next.getLeader());
        assertEquals(List.of(3), next.getIsrList());
        assertEquals(5, next.getLeaderEpoch());
    }

    @Test
    void uncleanElectionPicksALiveReplicaOutsideTheIsr() {
        PartitionRecord onlyThree =
                P.toBuilder().clearIsr().addIsr(3).setLeader(3).build();
        PartitionRecord next = new PartitionChangeBuilder(onlyThree, alive(2))
                .uncleanElection(true)
                .build()
                .orElseThrow()
                .getPartition();
        assertEquals(2, next.getLeader());
        assertEquals(List.of(2), next.getIsrList());
    }

    @Test
    void offlinePartitionElectsItsReturningIsrMember() {
        PartitionRecord offline = P.toBuilder()
                .clearIsr()
                .addIsr(3)
                .setLeader(PartitionChangeBuilder.NO_LEADER)
                .build();
        PartitionRecord next = new PartitionChangeBuilder(offline, alive(1, 2, 3))
                .build()
                .orElseThrow()
                .getPartition();
        assertEquals(3, next.getLeader());
        assertEquals(5, next.getLeaderEpoch());
    }

    @Test
    void preferredElectionMovesLeadershipToTheFirstReplicaOnlyWhenInIsr() {
        PartitionRecord led2 = P.toBuilder().setLeader(2).build();
        assertEquals(
                1,
                new PartitionChangeBuilder(led2, alive(1, 2, 3))
                        .preferredLeaderElection()
                        .build()
                        .orElseThrow()
                        .getPartition()
                        .getLeader());
        PartitionRecord notInIsr =
                led2.toBuilder().clearIsr().addAllIsr(List.of(2, 3)).build();
        assertTrue(new PartitionChangeBuilder(notInIsr, alive(1, 2, 3))
                .preferredLeaderElection()
                .build()
                .isEmpty());
    }

    @Test
    void targetIsrExpandsTheIsr() {
        PartitionRecord shrunk =
                P.toBuilder().clearIsr().addAllIsr(List.of(1, 2)).build();
        PartitionRecord next = new PartitionChangeBuilder(shrunk, alive(1, 2, 3))
                .targetIsr(List.of(1, 2, 3))
                .build()
                .orElseThrow()
                .getPartition();
        assertEquals(List.of(1, 2, 3), next.getIsrList());
        assertEquals(4, next.getLeaderEpoch());
        assertEquals(10, next.getPartitionEpoch());
    }
}
