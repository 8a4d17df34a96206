package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import io.ferry.group.ExpiryResult;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.TopicsImage;
import java.util.ArrayList;
import java.util.List;

/** The members whose time ran out, removed from the group. */
public final class MemberExpiry {

    private MemberExpiry() {}

    /**
     * Removes each member whose session ended (no heartbeat for the session timeout) and each that was
     * asked to revoke partitions and did not within its rebalance timeout; each removal bumps the group
     * epoch and frees the member's partitions.
     */
    public static ExpiryResult expire(ConsumerGroup group, TopicsImage topics, long nowMs) {
        List<ExpiryResult.Removal> removed = new ArrayList<>();
        ConsumerGroup after = group;
        for (GroupMember m : group.members().values()) {
            ExpiryResult.Reason reason = reason(m, nowMs);
            if (reason != null) {
                removed.add(new ExpiryResult.Removal(m.memberId(), reason));
                after = after.withoutMember(m.memberId(), topics);
            }
        }
        return new ExpiryResult(after, removed);
    }

    /**
     * Whether {@link #expire} would remove a member: the caller then builds the topics it needs, which with
     * every pattern resolved costs more than this look at the deadlines.
     */
    public static boolean anyExpired(ConsumerGroup group, long nowMs) {
        return group.members().values().stream().anyMatch(m -> reason(m, nowMs) != null);
    }

    /** Whether the member's time ran out: {@link #expire} would remove it. */
    public static boolean expired(GroupMember m, long nowMs) {
        return reason(m, nowMs) != null;
    }

    /** Why the member's time ran out; null if it did not. */
    private static ExpiryResult.Reason reason(GroupMember m, long nowMs) {
        if (nowMs >= m.sessionDeadlineMs()) {
            return ExpiryResult.Reason.SESSION_TIMEOUT;
        }
        if (m.state() == MemberState.UNREVOKED_PARTITIONS && nowMs >= m.revocationDeadlineMs()) {
            return ExpiryResult.Reason.REBALANCE_TIMEOUT;
        }
        return null;
    }
}
