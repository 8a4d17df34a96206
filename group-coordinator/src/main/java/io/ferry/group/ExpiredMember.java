package io.ferry.group;

import java.util.Objects;

/** A member {@link CoordinatorShard#expire} removes from its group, and why. */
public record ExpiredMember(String groupId, String memberId, ExpiryResult.Reason reason) {

    public ExpiredMember {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(reason, "reason");
    }
}
