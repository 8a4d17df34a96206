package io.ferry.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ferry.group.Assignment;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Single reconciliation steps of one member, the cases a group test reaches only by chance. */
class ReconciliationTest {

    static final long NOW = 1_000;
    static final int REBALANCE_MS = 500;

    static Assignment t(Integer... ids) {
        return Assignment.of(Map.of("t", List.of(ids)));
    }

    static Map<TopicPartition, String> ownedBy(String member, Assignment a) {
        Map<TopicPartition, String> owners = new TreeMap<>();
        a.partitions().forEach(tp -> owners.put(tp, member));
        return owners;
    }

    /** m1 at epoch 3, stable with {@code assigned}. */
    static GroupMember stable(Assignment assigned) {
        Map<TopicPartition, Integer> epochs = new TreeMap<>();
        assigned.partitions().forEach(tp -> epochs.put(tp, 3));
        return GroupMember.joining(
                        "m1", Optional.empty(), "c", "h", REBALANCE_MS, new TreeSet<>(List.of("t")), Optional.empty())
                .reconciled(3, MemberState.STABLE, assigned, Assignment.EMPTY, epochs, Long.MAX_VALUE);
    }

    @Test
    void aReconciledMemberIsLeftAsItIs() {
        GroupMember m = stable(t(0, 1));

        assertSame(m, Reconciliation.step(m, 3, t(0, 1), ownedBy("m1", t(0, 1)), t(0, 1), NOW));
    }

    @Test
    void revokingStartsTheRebalanceTimerAndKeepsTheEpoch() {
        GroupMember m = stable(t(0, 1));

        GroupMember next = Reconciliation.step(m, 4, t(0), ownedBy("m1", t(0, 1)), t(0, 1), NOW);

        assertEquals(MemberState.UNREVOKED_PARTITIONS, next.state());
        assertEquals(3, next.memberEpoch());
        assertEquals(t(1), next.partitionsPendingRevocation());
        assertEquals(NOW + REBALANCE_MS, next.revocationDeadlineMs());
    }

    @Test
    void aPartitionTheClientNoLongerListsNeedsNoRevocationStep() {
        GroupMember m = stable(t(0, 1));

        GroupMember next = Reconciliation.step(m, 4, t(0), ownedBy("m1", t(0, 1)), t(0), NOW);

        assertEquals(MemberState.STABLE, next.state());
        assertEquals(4, next.memberEpoch());
        assertEquals(3, next.previousMemberEpoch());
        assertEquals(t(0), next.assignedPartitions());
    }

    @Test
    void aPartitionItWasRevokingThatComesBackIsItsOwnOnceRevoked() {
        GroupMember revoking = Reconciliation.step(stable(t(0, 1)), 4, t(0), ownedBy("m1", t(0, 1)), t(0, 1), NOW);

        // The target changed again (epoch 5) and gives t-1 back; the client acknowledged its revocation.
        GroupMember next = Reconciliation.step(revoking, 5, t(0, 1), ownedBy("m1", t(0, 1)), t(0), NOW);

        assertEquals(MemberState.STABLE, next.state());
        assertEquals(5, next.memberEpoch());
        assertEquals(t(0, 1), next.assignedPartitions());
        assertEquals(5, next.assignmentEpochs().get(new TopicPartition("t", 1)), "assigned anew at epoch 5");
        assertEquals(3, next.assignmentEpochs().get(new TopicPartition("t", 0)));
    }

    @Test
    void aPartitionAnotherMemberOwnsWaitsAndTheMemberIsUnreleased() {
        GroupMember m = stable(t(0));
        Map<TopicPartition, String> owners = ownedBy("m1", t(0));
        owners.put(new TopicPartition("t", 1), "m2");

        GroupMember next = Reconciliation.step(m, 4, t(0, 1, 2), owners, t(0), NOW);

        assertEquals(MemberState.UNRELEASED_PARTITIONS, next.state());
        assertEquals(4, next.memberEpoch());
        assertEquals(t(0, 2), next.assignedPartitions());
    }

    @Test
    void aHeartbeatThatDoesNotListItsPartitionsLeavesARevokingMemberWaiting() {
        GroupMember revoking = Reconciliation.step(stable(t(0, 1)), 4, t(0), ownedBy("m1", t(0, 1)), t(0, 1), NOW);

        assertSame(revoking, Reconciliation.step(revoking, 4, t(0), ownedBy("m1", t(0, 1)), null, NOW + 1));
    }
}
