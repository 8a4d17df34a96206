package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.TopicPartition;
import java.util.Map;
import java.util.TreeMap;

/**
 * One step of a member towards its target assignment, KIP-848's current assignment builder. A member first
 * gives up what it must lose (it stays in its epoch, {@link MemberState#UNREVOKED_PARTITIONS}, until a
 * heartbeat no longer lists those partitions); then it moves to the target epoch and gets the partitions
 * of its target that nobody owns; those another member still owns it gets on a later heartbeat, once
 * released ({@link MemberState#UNRELEASED_PARTITIONS}). So a partition is never owned by two members.
 */
public final class Reconciliation {

    private Reconciliation() {}

    /**
     * The member after this heartbeat.
     *
     * @param owners each partition some member of the group owns, with that member's id
     * @param reported the partitions the heartbeat lists as owned, {@code null} when it did not send them
     *     (then the member is taken to still own everything it was asked to revoke)
     */
    public static GroupMember step(
            GroupMember member,
            int targetEpoch,
            Assignment target,
            Map<TopicPartition, String> owners,
            Assignment reported,
            long nowMs) {
        return switch (member.state()) {
            case STABLE ->
                member.memberEpoch() == targetEpoch
                        ? member
                        : next(member, member.memberEpoch(), targetEpoch, target, owners, reported, nowMs);
            case UNREVOKED_PARTITIONS ->
                stillOwnsAny(reported, member.partitionsPendingRevocation())
                        ? member
                        // Revoked: the member may leave its epoch, towards whatever the target is now.
                        : next(member, member.memberEpoch() + 1, targetEpoch, target, owners, reported, nowMs);
            case UNRELEASED_PARTITIONS ->
                next(member, member.memberEpoch(), targetEpoch, target, owners, reported, nowMs);
        };
    }

    private static boolean stillOwnsAny(Assignment reported, Assignment revoked) {
        return reported == null || !reported.isDisjoint(revoked);
    }

    private static GroupMember next(
            GroupMember member,
            int revokingEpoch,
            int targetEpoch,
            Assignment target,
            Map<TopicPartition, String> owners,
            Assignment reported,
            long nowMs) {
        Assignment kept = member.assignedPartitions().intersect(target);
        Assignment toRevoke = member.assignedPartitions().minus(kept);
        Assignment wanted = target.minus(kept);
        // A partition this member itself was revoking is free: it reached here because the revocation
        // was acknowledged.
        Assignment free = wanted.filter(tp -> {
            String owner = owners.get(tp);
            return owner == null || owner.equals(member.memberId());
        });
        boolean unreleased = !wanted.minus(free).isEmpty();
        GroupMember result;
        if (!toRevoke.isEmpty() && stillOwnsAny(reported, toRevoke)) {
            result = member.reconciled(
                    revokingEpoch,
                    MemberState.UNREVOKED_PARTITIONS,
                    kept,
                    toRevoke,
                    epochs(member, kept.union(toRevoke), targetEpoch),
                    member.revocationDeadlineMs());
        } else {
            Assignment assigned = kept.union(free);
            result = member.reconciled(
                    targetEpoch,
                    unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
                    assigned,
                    Assignment.EMPTY,
                    epochs(member, assigned, targetEpoch),
                    Long.MAX_VALUE);
        }
        return withRevocationTimer(member, result, nowMs);
    }

    /**
     * Partitions the member keeps keep the epoch they were assigned at; the others get {@code newEpoch},
     * including one it had revoked and now gets back: its earlier epochs no longer prove ownership.
     */
    private static Map<TopicPartition, Integer> epochs(GroupMember member, Assignment partitions, int newEpoch) {
        Map<TopicPartition, Integer> epochs = new TreeMap<>();
        for (TopicPartition tp : partitions.partitions()) {
            boolean kept = member.assignedPartitions().contains(tp);
            epochs.put(tp, kept ? member.assignmentEpochs().getOrDefault(tp, newEpoch) : newEpoch);
        }
        return epochs;
    }

    /**
     * A member asked to revoke (anew) gets its rebalance timeout from now, as Kafka's coordinator schedules
     * it on every change of a revoking member.
     */
    private static GroupMember withRevocationTimer(GroupMember before, GroupMember after, long nowMs) {
        if (after.state() != MemberState.UNREVOKED_PARTITIONS || after.equals(before)) {
            return after;
        }
        return after.reconciled(
                after.memberEpoch(),
                after.state(),
                after.assignedPartitions(),
                after.partitionsPendingRevocation(),
                after.assignmentEpochs(),
                saturatedSum(nowMs, after.rebalanceTimeoutMs()));
    }

    public static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
