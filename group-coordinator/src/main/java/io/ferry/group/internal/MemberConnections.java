package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The connection each dynamic member's latest accepted heartbeat came on, so that when a connection ends the
 * coordinator can shorten the sessions of exactly the members that heartbeat on it. A connection is any object
 * equal only to itself (the broker's token of one HTTP/2 connection); this class never looks inside it.
 *
 * <p>Like {@link MemberTimers}, not state: no record carries it, and a coordinator that loads a group starts
 * with none. Bounded by the members: one entry per (group, member id), moved when the member heartbeats on
 * another connection, dropped when its connection ends ({@link #ended}), when it leaves ({@link #forget}) or
 * when it is no longer in its stored group ({@link #keepOnly}); a connection is kept only while some member's
 * latest heartbeat came on it. So however many connections a client opens, it costs an entry only for a member
 * that its heartbeats keep in a group. Not thread-safe: its shard's thread owns it.
 */
public final class MemberConnections {

    /** A member of a group. */
    public record Member(String groupId, String memberId) {}

    private final Map<Member, Object> connectionOf = new HashMap<>();
    private final Map<Object, Set<Member>> membersOn = new HashMap<>();

    /** The member's latest heartbeat came on {@code connection}: it moves there from any other. */
    public void heardOn(Member member, Object connection) {
        Object previous = connectionOf.put(member, connection);
        if (previous != null && !previous.equals(connection)) {
            removeFrom(previous, member);
        }
        membersOn.computeIfAbsent(connection, c -> new HashSet<>()).add(member);
    }

    /** The member left, or its latest heartbeat came on no connection this class tracks. */
    public void forget(Member member) {
        Object connection = connectionOf.remove(member);
        if (connection != null) {
            removeFrom(connection, member);
        }
    }

    /** Removes and returns the members whose latest heartbeat came on {@code connection}, which ended. */
    public Set<Member> ended(Object connection) {
        Set<Member> members = membersOn.remove(connection);
        if (members == null) {
            return Set.of();
        }
        members.forEach(connectionOf::remove);
        return members;
    }

    /** Drops every member that is not in one of {@code groups}: removed, expired, or never stored. */
    public void keepOnly(Collection<ConsumerGroup> groups) {
        Map<String, ConsumerGroup> byId = new HashMap<>();
        groups.forEach(g -> byId.put(g.groupId(), g));
        for (Member member : Set.copyOf(connectionOf.keySet())) {
            ConsumerGroup group = byId.get(member.groupId());
            if (group == null || !group.members().containsKey(member.memberId())) {
                forget(member);
            }
        }
    }

    private void removeFrom(Object connection, Member member) {
        Set<Member> members = membersOn.get(connection);
        if (members != null) {
            members.remove(member);
            if (members.isEmpty()) {
                membersOn.remove(connection);
            }
        }
    }
}
