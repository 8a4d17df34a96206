package io.ferry.group;

import java.util.List;

/**
 * The group after a heartbeat and the answer to send. On an error the group is the one given, unchanged,
 * apart from the members whose time ran out, which {@link GroupCoordinator#heartbeat} removes first and
 * names in {@code expired}.
 */
public record HeartbeatResult(ConsumerGroup group, HeartbeatResponse response, List<ExpiryResult.Removal> expired) {

    public HeartbeatResult {
        expired = List.copyOf(expired);
    }

    /** A heartbeat's outcome before any expiry is added. */
    public HeartbeatResult(ConsumerGroup group, HeartbeatResponse response) {
        this(group, response, List.of());
    }
}
