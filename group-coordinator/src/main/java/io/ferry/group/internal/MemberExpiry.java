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
            ExpiryResult.Reason reason = null;
            if (nowMs >= m.sessionDeadlineMs()) {
                reason = ExpiryResult.Reason.SESSION_TIMEOUT;
            } else if (m.state() == MemberState.UNREVOKED_PARTITIONS && nowMs >= m.revocationDeadlineMs()) {
                reason = ExpiryResult.Reason.REBALANCE_TIMEOUT;
            }
            if (reason != null) {
                removed.add(new ExpiryResult.Removal(m.memberId(), reason));
                after = after.withoutMember(m.memberId(), topics);
            }
        }
        return new ExpiryResult(after, removed);
    }
}
