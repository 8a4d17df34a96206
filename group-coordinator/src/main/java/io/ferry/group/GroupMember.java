package io.ferry.group;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One member of a consumer group, as the coordinator knows it. Immutable.
 *
 * <p>The partitions the member owns, from the coordinator's view, are {@link #ownedPartitions()}: those
 * assigned to it and those it was asked to revoke but has not yet reported revoked. No other member is
 * assigned a partition while this one owns it.
 *
 * @param memberId the id the client generated (KIP-1082)
 * @param instanceId the group.instance.id of a static member
 * @param memberEpoch the epoch of its current assignment; {@link #LEFT_STATIC_EPOCH} for a static member
 *     that left and may come back
 * @param previousMemberEpoch the epoch before the last change of {@code memberEpoch}: a heartbeat with it is
 *     still accepted, as the answer carrying the new epoch may have been lost
 * @param subscribedTopicNames the topics the member names
 * @param subscribedTopicRegex the regular expression it subscribes with; the coordinator's caller resolves it
 *     to topic names ({@link TopicsImage#regexMatches()})
 * @param classicSessionTimeoutMs for a member that speaks Kafka's classic group protocol (JoinGroup, SyncGroup,
 *     Heartbeat), the session timeout its JoinGroup asked for, which is its own; empty for a KIP-848 member,
 *     whose session is the group's
 * @param assignmentEpochs for each owned partition, the member epoch at which it was assigned to the member
 *     (KIP-1251: a commit with an older epoch than that cannot be from this assignment)
 * @param sessionDeadlineMs when the member is removed unless it heartbeats; like {@code revocationDeadlineMs}
 *     (when it is removed unless it revokes, or {@link Long#MAX_VALUE}) a timer, not state to persist: a new
 *     coordinator restarts both from the time it loads the group
 */
public record GroupMember(
        String memberId,
        Optional<String> instanceId,
        String clientId,
        String clientHost,
        int rebalanceTimeoutMs,
        SortedSet<String> subscribedTopicNames,
        Optional<String> subscribedTopicRegex,
        OptionalInt classicSessionTimeoutMs,
        int memberEpoch,
        int previousMemberEpoch,
        MemberState state,
        Assignment assignedPartitions,
        Assignment partitionsPendingRevocation,
        Map<TopicPartition, Integer> assignmentEpochs,
        long sessionDeadlineMs,
        long revocationDeadlineMs) {

    /** The epoch a static member keeps after it left with epoch -2, until it rejoins or its session ends. */
    public static final int LEFT_STATIC_EPOCH = -2;

    public GroupMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(classicSessionTimeoutMs, "classicSessionTimeoutMs");
        if (classicSessionTimeoutMs.isPresent() && classicSessionTimeoutMs.getAsInt() <= 0) {
            throw new IllegalArgumentException(
                    "a classic member's session timeout must be positive: " + classicSessionTimeoutMs.getAsInt());
        }
        subscribedTopicNames = Collections.unmodifiableSortedSet(new TreeSet<>(subscribedTopicNames));
        assignmentEpochs = Collections.unmodifiableSortedMap(new TreeMap<>(assignmentEpochs));
        if (!assignedPartitions.isDisjoint(partitionsPendingRevocation)) {
            throw new IllegalArgumentException("a partition both assigned and pending revocation: " + memberId);
        }
    }

    /** A member that just joined: epoch 0, nothing assigned, reconciled on this same heartbeat. */
    public static GroupMember joining(
            String memberId,
            Optional<String> instanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            SortedSet<String> subscribedTopicNames,
            Optional<String> subscribedTopicRegex) {
        return new GroupMember(
                memberId,
                instanceId,
                clientId,
                clientHost,
                rebalanceTimeoutMs,
                subscribedTopicNames,
                subscribedTopicRegex,
                OptionalInt.empty(),
                0,
                0,
                MemberState.STABLE,
                Assignment.EMPTY,
                Assignment.EMPTY,
                Map.of(),
                Long.MAX_VALUE,
                Long.MAX_VALUE);
    }

    /** The partitions no other member may be given: assigned, or pending revocation. */
    public Assignment ownedPartitions() {
        return assignedPartitions.union(partitionsPendingRevocation);
    }

    /** The topics the member subscribes to, names and regular expression matches together. */
    public SortedSet<String> subscribedTopics(TopicsImage topics) {
        TreeSet<String> all = new TreeSet<>(subscribedTopicNames);
        subscribedTopicRegex.ifPresent(regex -> all.addAll(topics.regexMatches().getOrDefault(regex, Set.of())));
        return all;
    }

    /** Whether the member speaks Kafka's classic group protocol. */
    public boolean isClassic() {
        return classicSessionTimeoutMs.isPresent();
    }

    /** How long the member may go unheard: its own session timeout if it is classic, else the group's. */
    public int sessionTimeoutMs(int groupSessionTimeoutMs) {
        return classicSessionTimeoutMs.orElse(groupSessionTimeoutMs);
    }

    /** This member as a classic one with that session timeout, or (empty) as a KIP-848 one. */
    public GroupMember withClassicSessionTimeout(OptionalInt timeoutMs) {
        Copy changed = new Copy(this);
        changed.classicSessionTimeoutMs = timeoutMs;
        return changed.build();
    }

    public GroupMember withSubscription(
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            SortedSet<String> subscribedTopicNames,
            Optional<String> subscribedTopicRegex) {
        Copy changed = new Copy(this);
        changed.clientId = clientId;
        changed.clientHost = clientHost;
        changed.rebalanceTimeoutMs = rebalanceTimeoutMs;
        changed.subscribedTopicNames = subscribedTopicNames;
        changed.subscribedTopicRegex = subscribedTopicRegex;
        return changed.build();
    }

    /**
     * This member at a new reconciliation step. A new epoch makes the current one the previous; the same
     * epoch keeps the previous one.
     */
    public GroupMember reconciled(
            int epoch,
            MemberState newState,
            Assignment assigned,
            Assignment pendingRevocation,
            Map<TopicPartition, Integer> epochs,
            long newRevocationDeadlineMs) {
        Copy changed = new Copy(this);
        changed.memberEpoch = epoch;
        changed.previousMemberEpoch = epoch == memberEpoch ? previousMemberEpoch : memberEpoch;
        changed.state = newState;
        changed.assignedPartitions = assigned;
        changed.partitionsPendingRevocation = pendingRevocation;
        changed.assignmentEpochs = epochs;
        changed.revocationDeadlineMs = newRevocationDeadlineMs;
        return changed.build();
    }

    /**
     * This member under a new member id at epoch 0: a static member's new incarnation, which takes over the
     * partitions of the one that left.
     */
    public GroupMember replacedBy(String newMemberId) {
        Copy changed = new Copy(this);
        changed.memberId = newMemberId;
        changed.memberEpoch = 0;
        changed.previousMemberEpoch = 0;
        changed.state = MemberState.STABLE;
        changed.partitionsPendingRevocation = Assignment.EMPTY;
        changed.assignmentEpochs = epochsOf(assignedPartitions);
        changed.revocationDeadlineMs = Long.MAX_VALUE;
        return changed.build();
    }

    /**
     * A static member that left with epoch -2: it keeps its assigned partitions, for its next incarnation,
     * until it rejoins or its session ends. A member that leaves has stopped consuming, so it owns nothing
     * it was revoking.
     */
    public GroupMember leftTemporarily(long newSessionDeadlineMs) {
        Copy changed = new Copy(this);
        changed.memberEpoch = LEFT_STATIC_EPOCH;
        changed.previousMemberEpoch = memberEpoch;
        changed.state = MemberState.STABLE;
        changed.partitionsPendingRevocation = Assignment.EMPTY;
        changed.assignmentEpochs = epochsOf(assignedPartitions);
        changed.sessionDeadlineMs = newSessionDeadlineMs;
        changed.revocationDeadlineMs = Long.MAX_VALUE;
        return changed.build();
    }

    public GroupMember withSessionDeadline(long deadlineMs) {
        return withTimers(deadlineMs, revocationDeadlineMs);
    }

    /** This member with the given deadlines, which the coordinator's caller keeps apart from the persisted state. */
    public GroupMember withTimers(long newSessionDeadlineMs, long newRevocationDeadlineMs) {
        Copy changed = new Copy(this);
        changed.sessionDeadlineMs = newSessionDeadlineMs;
        changed.revocationDeadlineMs = newRevocationDeadlineMs;
        return changed.build();
    }

    private Map<TopicPartition, Integer> epochsOf(Assignment partitions) {
        TreeMap<TopicPartition, Integer> kept = new TreeMap<>(assignmentEpochs);
        kept.keySet().retainAll(partitions.partitions());
        return kept;
    }

    /**
     * A member being changed by one of the methods above: each names only the fields it changes, and
     * {@link #build()} checks the result like any other member.
     */
    private static final class Copy {
        String memberId;
        Optional<String> instanceId;
        String clientId;
        String clientHost;
        int rebalanceTimeoutMs;
        SortedSet<String> subscribedTopicNames;
        Optional<String> subscribedTopicRegex;
        OptionalInt classicSessionTimeoutMs;
        int memberEpoch;
        int previousMemberEpoch;
        MemberState state;
        Assignment assignedPartitions;
        Assignment partitionsPendingRevocation;
        Map<TopicPartition, Integer> assignmentEpochs;
        long sessionDeadlineMs;
        long revocationDeadlineMs;

        Copy(GroupMember from) {
            memberId = from.memberId;
            instanceId = from.instanceId;
            clientId = from.clientId;
            clientHost = from.clientHost;
            rebalanceTimeoutMs = from.rebalanceTimeoutMs;
            subscribedTopicNames = from.subscribedTopicNames;
            subscribedTopicRegex = from.subscribedTopicRegex;
            classicSessionTimeoutMs = from.classicSessionTimeoutMs;
            memberEpoch = from.memberEpoch;
            previousMemberEpoch = from.previousMemberEpoch;
            state = from.state;
            assignedPartitions = from.assignedPartitions;
            partitionsPendingRevocation = from.partitionsPendingRevocation;
            assignmentEpochs = from.assignmentEpochs;
            sessionDeadlineMs = from.sessionDeadlineMs;
            revocationDeadlineMs = from.revocationDeadlineMs;
        }

        GroupMember build() {
            return new GroupMember(
                    memberId,
                    instanceId,
                    clientId,
                    clientHost,
                    rebalanceTimeoutMs,
                    subscribedTopicNames,
                    subscribedTopicRegex,
                    classicSessionTimeoutMs,
                    memberEpoch,
                    previousMemberEpoch,
                    state,
                    assignedPartitions,
                    partitionsPendingRevocation,
                    assignmentEpochs,
                    sessionDeadlineMs,
                    revocationDeadlineMs);
        }
    }
}
