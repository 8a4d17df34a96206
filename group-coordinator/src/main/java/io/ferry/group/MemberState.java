package io.ferry.group;

/** Where a member is in its reconciliation towards the group's target assignment (KIP-848). */
public enum MemberState {
    /** The member has its target assignment at the target assignment epoch. */
    STABLE,
    /**
     * The member must give up some partitions before it may move to a newer epoch; it stays in its epoch
     * until a heartbeat reports them no longer owned, or its rebalance timeout removes it from the group.
     */
    UNREVOKED_PARTITIONS,
    /**
     * The member is at the target epoch but waits for partitions of its target that another member still
     * owns; it gets them on a heartbeat after their owner has revoked them.
     */
    UNRELEASED_PARTITIONS
}
