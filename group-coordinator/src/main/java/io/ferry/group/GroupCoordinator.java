package io.ferry.group;

import io.ferry.group.internal.HeartbeatHandler;
import io.ferry.group.internal.MemberExpiry;
import io.ferry.group.internal.OffsetCommitFencing;
import java.util.Objects;

/**
 * Consumer groups as pure functions (KIP-848): each method computes from a group's state, its input and the
 * time given (milliseconds, the caller's clock) a new state and an answer, and changes nothing. No thread,
 * clock or I/O; the caller (the broker's coordinator runtime) persists a new state before it answers, and
 * calls {@link #expire} as time passes. Thread-safe: it holds only its configuration.
 */
public final class GroupCoordinator {

    private final HeartbeatHandler heartbeats;

    public GroupCoordinator(GroupConfig config) {
        this.heartbeats = new HeartbeatHandler(Objects.requireNonNull(config, "config"));
    }

    /**
     * A ConsumerGroupHeartbeat: join, heartbeat (with reconciliation) or leave, after the group's members whose
     * session or rebalance timeout passed are removed.
     *
     * @param group the group the request's group id names ({@link ConsumerGroup#empty} for a new one)
     * @param topics the cluster's topics now; a change of a subscribed topic's partition count bumps the
     *     group epoch
     * @throws IllegalArgumentException if the request's group id is not the group's (the caller picks the
     *     group by that id, after the request's checks passed)
     */
    public HeartbeatResult heartbeat(ConsumerGroup group, HeartbeatRequest request, TopicsImage topics, long nowMs) {
        // Members whose time ran out leave before this heartbeat is answered, not only at the next expiry
        // pass: the heartbeat gets the partitions they free at once, as Kafka's timers, which fire at the
        // deadline itself, would give them. A member heartbeating after its own deadline is gone, as there.
        ExpiryResult expiry = MemberExpiry.expire(group, topics, nowMs);
        HeartbeatResult result = heartbeats.handle(expiry.group(), request, topics, nowMs);
        return new HeartbeatResult(result.group(), result.response(), expiry.removed());
    }

    /** Removes the members whose session or rebalance timeout passed at {@code nowMs}. */
    public ExpiryResult expire(ConsumerGroup group, TopicsImage topics, long nowMs) {
        return MemberExpiry.expire(group, topics, nowMs);
    }

    /**
     * Whether an offset commit for {@code partition} from {@code memberId} at {@code memberEpoch} is accepted:
     * {@link GroupError#NONE}, or {@link GroupError#UNKNOWN_MEMBER_ID} / {@link GroupError#STALE_MEMBER_EPOCH}.
     */
    public GroupError checkOffsetCommit(
            ConsumerGroup group, String memberId, int memberEpoch, TopicPartition partition) {
        return OffsetCommitFencing.check(group, memberId, memberEpoch, partition);
    }
}
