package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.TopicPartition;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a ConsumerGroupCurrentMemberAssignment record holds of a member: where it is in its reconciliation.
 */
public record MemberAssignment(
        int memberEpoch,
        int previousMemberEpoch,
        MemberState state,
        Assignment assignedPartitions,
        Assignment partitionsPendingRevocation,
        SortedMap<TopicPartition, Integer> assignmentEpochs) {

    /** A member that has not been through a reconciliation step: as {@link GroupMember#joining} makes it. */
    static final MemberAssignment NONE =
            new MemberAssignment(0, 0, MemberState.STABLE, Assignment.EMPTY, Assignment.EMPTY, new TreeMap<>());

    public MemberAssignment {
        assignmentEpochs = Collections.unmodifiableSortedMap(new TreeMap<>(assignmentEpochs));
    }

    public static MemberAssignment of(GroupMember m) {
        return new MemberAssignment(
                m.memberEpoch(),
                m.previousMemberEpoch(),
                m.state(),
                m.assignedPartitions(),
                m.partitionsPendingRevocation(),
                new TreeMap<>(m.assignmentEpochs()));
    }

    /** The member of the two records, with no timers: they are not persisted ({@link MemberTimers}). */
    public GroupMember member(String memberId, MemberSubscription subscription) {
        return new GroupMember(
                memberId,
                subscription.instanceId(),
                subscription.clientId(),
                subscription.clientHost(),
                subscription.rebalanceTimeoutMs(),
                subscription.subscribedTopicNames(),
                subscription.subscribedTopicRegex(),
                subscription.classicSessionTimeoutMs(),
                memberEpoch,
                previousMemberEpoch,
                state,
                assignedPartitions,
                partitionsPendingRevocation,
                assignmentEpochs,
                Long.MAX_VALUE,
                Long.MAX_VALUE);
    }
}
