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
 * @param disconnectGraceMs {@code group.consumer.disconnect.grace.ms}: how long a dynamic member whose
 *     latest heartbeat came on a connection that ended keeps its session, at most; {@link #NO_DISCONNECT_GRACE}
 *     to wait for the session timeout as Kafka does
 */
public record GroupConfig(
        int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, PartitionAssignor assignor, int disconnectGraceMs) {

    /** A {@link #disconnectGraceMs} that turns the grace off: a connection's end changes no session. */
    public static final int NO_DISCONNECT_GRACE = -1;

    /** Kafka's defaults: 45 s sessions, 5 s heartbeats, no size limit, the uniform assignor, no disconnect grace. */
    public static final GroupConfig DEFAULTS =
            new GroupConfig(45_000, 5_000, Integer.MAX_VALUE, PartitionAssignor.uniform(), NO_DISCONNECT_GRACE);

    public GroupConfig {
        Objects.requireNonNull(assignor, "assignor");
        if (heartbeatIntervalMs <= 0 || sessionTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("need 0 < heartbeat interval (" + heartbeatIntervalMs
                    + " ms) < session timeout (" + sessionTimeoutMs + " ms)");
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("group max size must be at least 1, not " + maxSize);
        }
        if (!disconnectGraceFits(disconnectGraceMs, heartbeatIntervalMs, sessionTimeoutMs)) {
            throw new IllegalArgumentException("need heartbeat interval (" + heartbeatIntervalMs
                    + " ms) <= disconnect grace (" + disconnectGraceMs + " ms) < session timeout ("
                    + sessionTimeoutMs + " ms), or a grace of " + NO_DISCONNECT_GRACE);
        }
    }

    /**
     * Whether a disconnect grace is off, or lies between the heartbeat interval (shorter would remove a live
     * member between two heartbeats) and the session timeout (longer would never apply).
     */
    public static boolean disconnectGraceFits(long graceMs, long heartbeatIntervalMs, long sessionTimeoutMs) {
        return graceMs == NO_DISCONNECT_GRACE || (graceMs >= heartbeatIntervalMs && graceMs < sessionTimeoutMs);
    }

    /** Whether a connection's end shortens the sessions of the members that heartbeat on it. */
    public boolean hasDisconnectGrace() {
        return disconnectGraceMs != NO_DISCONNECT_GRACE;
    }
}
