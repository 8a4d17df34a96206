package io.ferry.group;

import java.util.List;

/** The group after its timers were checked, and the members removed. */
public record ExpiryResult(ConsumerGroup group, List<Removal> removed) {

    public ExpiryResult {
        removed = List.copyOf(removed);
    }

    /** Why a member was removed. */
    public enum Reason {
        /** No heartbeat within group.consumer.session.timeout.ms. */
        SESSION_TIMEOUT,
        /** Partitions not revoked within the member's rebalance timeout. */
        REBALANCE_TIMEOUT
    }

    /** A member removed, and why. */
    public record Removal(String memberId, Reason reason) {}
}
