package io.ferry.group;

import java.util.Objects;

/**
 * The settings the coordinator decides with, named after Kafka's broker keys. The caller reads them from
 * the node's configuration; this module reads none itself.
 *
 * @param sessionTimeoutMs {@code group.consumer.session.timeout.ms}: a member not heard from for this long
 *     is removed
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms}: how often members heartbeat
 * @param maxSize {@code group.consumer.max.size}: the most members a group may have
 * @param assignor the server-side assignor ({@code group.consumer.assignors}, the first one)
 */
public record GroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, PartitionAssignor assignor) {

    /** Kafka's defaults: 45 s sessions, 5 s heartbeats, no size limit, the uniform assignor. */
    public static final GroupConfig DEFAULTS =
            new GroupConfig(45_000, 5_000, Integer.MAX_VALUE, PartitionAssignor.uniform());

    public GroupConfig {
        Objects.requireNonNull(assignor, "assignor");
        if (heartbeatIntervalMs <= 0 || sessionTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("need 0 < heartbeat interval (" + heartbeatIntervalMs
                    + " ms) < session timeout (" + sessionTimeoutMs + " ms)");
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("group max size must be at least 1, not " + maxSize);
        }
    }
}
