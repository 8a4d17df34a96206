package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The session and revocation deadlines of the members of a shard's groups. They are timers, not state: no
 * record carries them, so a coordinator that loads a group starts them afresh ({@link #start}). An operation
 * sets them as it decides, not on replay, since a heartbeat that changes nothing persistent still refreshes
 * the member's session. So a deadline may be kept for a member whose records never got appended: the
 * coordinator sees only the deadlines of members the stored group has, and {@link #keepOnly} drops the rest.
 * Not thread-safe: its shard's thread owns it.
 */
public final class MemberTimers {

    private record Deadlines(long sessionMs, long revocationMs) {}

    /** A member's deadlines before any are started: it does not expire. */
    private static final Deadlines NONE = new Deadlines(Long.MAX_VALUE, Long.MAX_VALUE);

    /** Group id to member id to its deadlines. */
    private final Map<String, Map<String, Deadlines>> byGroup = new HashMap<>();

    /** The stored group with each member's deadlines, as the coordinator decides with it. */
    public ConsumerGroup withTimers(ConsumerGroup stored) {
        Map<String, Deadlines> deadlines = byGroup.getOrDefault(stored.groupId(), Map.of());
        return withMembers(stored, m -> {
            Deadlines d = deadlines.getOrDefault(m.memberId(), NONE);
            return m.withTimers(d.sessionMs(), d.revocationMs());
        });
    }

    /** The group without deadlines: what its records hold. */
    public static ConsumerGroup withoutTimers(ConsumerGroup group) {
        return withMembers(group, m -> m.withTimers(NONE.sessionMs(), NONE.revocationMs()));
    }

    /** Keeps the deadlines of the members of a group the coordinator computed. */
    public void remember(ConsumerGroup computed) {
        Map<String, Deadlines> deadlines = byGroup.computeIfAbsent(computed.groupId(), id -> new HashMap<>());
        computed.members()
                .values()
                .forEach(m ->
                        deadlines.put(m.memberId(), new Deadlines(m.sessionDeadlineMs(), m.revocationDeadlineMs())));
    }

    /**
     * Brings the member's session deadline forward to {@code nowMs + remainingMs}, if that is sooner; its next
     * accepted heartbeat sets the whole session timeout again.
     */
    public void shortenSession(String groupId, String memberId, long nowMs, int remainingMs) {
        Map<String, Deadlines> deadlines = byGroup.computeIfAbsent(groupId, id -> new HashMap<>());
        Deadlines d = deadlines.getOrDefault(memberId, NONE);
        long deadline = Math.min(d.sessionMs(), Reconciliation.saturatedSum(nowMs, remainingMs));
        deadlines.put(memberId, new Deadlines(deadline, d.revocationMs()));
    }

    /** Sets the member's session deadline, as an accepted heartbeat does, keeping its revocation deadline. */
    public void refreshSession(String groupId, String memberId, long deadlineMs) {
        Map<String, Deadlines> deadlines = byGroup.computeIfAbsent(groupId, id -> new HashMap<>());
        Deadlines d = deadlines.getOrDefault(memberId, NONE);
        deadlines.put(memberId, new Deadlines(deadlineMs, d.revocationMs()));
    }

    /**
     * Starts the timers of a group just loaded: every member's session from {@code nowMs} (a classic member's
     * own session timeout, else {@code sessionTimeoutMs}), and for each member still revoking partitions its
     * rebalance timeout from {@code nowMs}, as if it had just been asked.
     */
    public void start(ConsumerGroup stored, int sessionTimeoutMs, long nowMs) {
        Map<String, Deadlines> deadlines = new HashMap<>();
        for (GroupMember m : stored.members().values()) {
            long revocation = m.state() == MemberState.UNREVOKED_PARTITIONS
                    ? Reconciliation.saturatedSum(nowMs, m.rebalanceTimeoutMs())
                    : Long.MAX_VALUE;
            deadlines.put(
                    m.memberId(),
                    new Deadlines(
                            Reconciliation.saturatedSum(nowMs, m.sessionTimeoutMs(sessionTimeoutMs)), revocation));
        }
        byGroup.put(stored.groupId(), deadlines);
    }

    /** Drops the deadlines of every member that is not in one of {@code groups}: removed, or never added. */
    public void keepOnly(Collection<ConsumerGroup> groups) {
        Map<String, Map<String, Deadlines>> kept = new HashMap<>();
        for (ConsumerGroup group : groups) {
            Map<String, Deadlines> deadlines = new HashMap<>(byGroup.getOrDefault(group.groupId(), Map.of()));
            deadlines.keySet().retainAll(group.members().keySet());
            if (!deadlines.isEmpty()) {
                kept.put(group.groupId(), deadlines);
            }
        }
        byGroup.clear();
        byGroup.putAll(kept);
    }

    private static ConsumerGroup withMembers(ConsumerGroup group, UnaryOperator<GroupMember> change) {
        TreeMap<String, GroupMember> members = new TreeMap<>();
        group.members().forEach((id, m) -> members.put(id, change.apply(m)));
        return new ConsumerGroup(
                group.groupId(),
                group.groupEpoch(),
                group.targetAssignmentEpoch(),
                group.targetAssignment(),
                members,
                group.subscribedTopicPartitions());
    }
}
