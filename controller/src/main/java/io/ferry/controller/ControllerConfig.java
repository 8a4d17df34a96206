package io.ferry.controller;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of one controller node. Times are milliseconds.
 *
 * @param nodeId this node's id; must be one of {@code voters}
 * @param voters every controller node of the quorum: node id → Raft address {@code host:port}. The
 *     Raft port is the controller's own (Ratis runs its own gRPC server); it is not the node's
 *     client-facing gRPC port. Ratis binds to this node's host and port.
 * @param metadataDir directory for the Raft log and snapshots, reserved for the controller
 * @param brokerSessionTimeoutMs a broker that sends no heartbeat for this long is fenced
 *     ({@code broker.session.timeout.ms})
 * @param brokerLivenessProbeAfterMs a broker whose heartbeat is this late is probed, and fenced at once when
 *     nothing listens on its address ({@code broker.liveness.probe.after.ms}); 0: never probed
 * @param electionTimeoutMinMs lower bound of the Raft election timeout
 * @param electionTimeoutMaxMs upper bound of the Raft election timeout
 * @param uncleanLeaderElectionEnable elect a replica outside the ISR when no ISR member is alive
 *     ({@code unclean.leader.election.enable}); may lose committed records
 * @param autoLeaderRebalanceEnable move leadership back to the preferred replica
 *     ({@code auto.leader.rebalance.enable})
 * @param leaderImbalanceCheckIntervalMs how often preferred leaders are checked
 *     ({@code leader.imbalance.check.interval.seconds}, in ms here)
 * @param snapshotThreshold take a snapshot every this many Raft log entries
 * @param metadataMaxIdleIntervalMs the active controller appends an empty entry to the Raft log when it has
 *     appended nothing for this long ({@code metadata.max.idle.interval.ms}, Kafka's NoOpRecord); 0: never
 * @param requestTimeoutMs how long a non-active controller waits for the active one to answer a request
 *     it forwards, before answering NOT_CONTROLLER
 * @param idempotencyKeyRetentionMs how long the controllers remember a request committed under an
 *     idempotency key, and answer a retry of it as done
 * @param idempotencyKeyMaxCount at most this many such requests are remembered; the oldest go first
 */
public record ControllerConfig(
        int nodeId,
        Map<Integer, String> voters,
        Path metadataDir,
        long brokerSessionTimeoutMs,
        long brokerLivenessProbeAfterMs,
        long electionTimeoutMinMs,
        long electionTimeoutMaxMs,
        boolean uncleanLeaderElectionEnable,
        boolean autoLeaderRebalanceEnable,
        long leaderImbalanceCheckIntervalMs,
        long snapshotThreshold,
        long metadataMaxIdleIntervalMs,
        long requestTimeoutMs,
        long idempotencyKeyRetentionMs,
        int idempotencyKeyMaxCount) {

    /** Kafka's {@code broker.session.timeout.ms} default. */
    public static final long DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9_000;
    /** A heartbeat interval (500 ms by default) and a quarter of one late. */
    public static final long DEFAULT_BROKER_LIVENESS_PROBE_AFTER_MS = 750;
    /**
     * Election timeout range. Ratis's own default (150–300 ms) caused spurious leader changes on a
     * loaded 2-core machine; 300–600 ms kept the leader stable there and still fails over in about 1 s.
     */
    public static final long DEFAULT_ELECTION_TIMEOUT_MIN_MS = 300;

    public static final long DEFAULT_ELECTION_TIMEOUT_MAX_MS = 600;
    /** Kafka's {@code leader.imbalance.check.interval.seconds} default (300 s). */
    public static final long DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 300_000;

    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 10_000;
    /**
     * Kafka's {@code metadata.max.idle.interval.ms} default. Besides showing followers a live leader, an entry
     * every idle half second keeps Ratis 3.3 from a loop it can fall into when it has only heartbeats to send:
     * a follower answering INCONSISTENCY to each heartbeat while the leader never backs off to what the
     * follower holds (RATIS-2523, RATIS-2605; any real append ends it).
     */
    public static final long DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS = 500;

    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    /**
     * Idempotency keys are remembered for an hour, far longer than a client retries one call
     * ({@code default.api.timeout.ms}), and at most a thousand: each holds its request and answer in every
     * controller's memory and snapshot.
     */
    public static final long DEFAULT_IDEMPOTENCY_KEY_RETENTION_MS = 3_600_000;

    public static final int DEFAULT_IDEMPOTENCY_KEY_MAX_COUNT = 1_000;

    public ControllerConfig {
        voters = Map.copyOf(new TreeMap<>(voters));
        if (voters.isEmpty() || !voters.containsKey(nodeId)) {
            throw new IllegalArgumentException(
                    "node " + nodeId + " must be one of the controller voters " + voters.keySet());
        }
        for (Map.Entry<Integer, String> v : voters.entrySet()) {
            if (v.getKey() < 0) {
                throw new IllegalArgumentException("controller node ids must be >= 0, got " + v.getKey());
            }
            parsePort(v.getValue());
        }
        if (metadataDir == null) {
            throw new IllegalArgumentException("metadataDir is required");
        }
        positive("brokerSessionTimeoutMs", brokerSessionTimeoutMs);
        if (brokerLivenessProbeAfterMs < 0) {
            throw new IllegalArgumentException(
                    "brokerLivenessProbeAfterMs must be >= 0, got " + brokerLivenessProbeAfterMs);
        }
        positive("electionTimeoutMinMs", electionTimeoutMinMs);
        positive("leaderImbalanceCheckIntervalMs", leaderImbalanceCheckIntervalMs);
        positive("snapshotThreshold", snapshotThreshold);
        if (metadataMaxIdleIntervalMs < 0) {
            throw new IllegalArgumentException(
                    "metadataMaxIdleIntervalMs must be >= 0, got " + metadataMaxIdleIntervalMs);
        }
        positive("requestTimeoutMs", requestTimeoutMs);
        positive("idempotencyKeyRetentionMs", idempotencyKeyRetentionMs);
        positive("idempotencyKeyMaxCount", idempotencyKeyMaxCount);
        if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
            throw new IllegalArgumentException("electionTimeoutMaxMs (" + electionTimeoutMaxMs
                    + ") must be larger than electionTimeoutMinMs (" + electionTimeoutMinMs + ")");
        }
    }

    /** A configuration with every default. */
    public static ControllerConfig of(int nodeId, Map<Integer, String> voters, Path metadataDir) {
        return new ControllerConfig(
                nodeId,
                voters,
                metadataDir,
                DEFAULT_BROKER_SESSION_TIMEOUT_MS,
                DEFAULT_BROKER_LIVENESS_PROBE_AFTER_MS,
                DEFAULT_ELECTION_TIMEOUT_MIN_MS,
                DEFAULT_ELECTION_TIMEOUT_MAX_MS,
                false,
                true,
                DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
                DEFAULT_SNAPSHOT_THRESHOLD,
                DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS,
                DEFAULT_REQUEST_TIMEOUT_MS,
                DEFAULT_IDEMPOTENCY_KEY_RETENTION_MS,
                DEFAULT_IDEMPOTENCY_KEY_MAX_COUNT);
    }

    public ControllerConfig withBrokerSessionTimeoutMs(long ms) {
        Copy changed = new Copy(this);
        changed.brokerSessionTimeoutMs = ms;
        return changed.build();
    }

    public ControllerConfig withBrokerLivenessProbeAfterMs(long ms) {
        Copy changed = new Copy(this);
        changed.brokerLivenessProbeAfterMs = ms;
        return changed.build();
    }

    public ControllerConfig withElectionTimeoutMs(long minMs, long maxMs) {
        Copy changed = new Copy(this);
        changed.electionTimeoutMinMs = minMs;
        changed.electionTimeoutMaxMs = maxMs;
        return changed.build();
    }

    public ControllerConfig withUncleanLeaderElectionEnable(boolean enable) {
        Copy changed = new Copy(this);
        changed.uncleanLeaderElectionEnable = enable;
        return changed.build();
    }

    public ControllerConfig withAutoLeaderRebalance(boolean enable, long checkIntervalMs) {
        Copy changed = new Copy(this);
        changed.autoLeaderRebalanceEnable = enable;
        changed.leaderImbalanceCheckIntervalMs = checkIntervalMs;
        return changed.build();
    }

    public ControllerConfig withSnapshotThreshold(long entries) {
        Copy changed = new Copy(this);
        changed.snapshotThreshold = entries;
        return changed.build();
    }

    public ControllerConfig withMetadataMaxIdleIntervalMs(long ms) {
        Copy changed = new Copy(this);
        changed.metadataMaxIdleIntervalMs = ms;
        return changed.build();
    }

    public ControllerConfig withIdempotencyKeys(long retentionMs, int maxCount) {
        Copy changed = new Copy(this);
        changed.idempotencyKeyRetentionMs = retentionMs;
        changed.idempotencyKeyMaxCount = maxCount;
        return changed.build();
    }

    /** The host part of this node's Raft address. */
    public String raftHost() {
        String address = voters.get(nodeId);
        return address.substring(0, address.lastIndexOf(':'));
    }

    /** The port part of this node's Raft address. */
    public int raftPort() {
        return parsePort(voters.get(nodeId));
    }

    private static int parsePort(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("controller address '" + address + "' must be host:port");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port of controller address '" + address + "' must be in 1..65535");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("controller address '" + address + "' must be host:port", e);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /**
     * A configuration being changed by a {@code with...} method: each names only the settings it changes,
     * and {@link #build()} validates the result like any other.
     */
    private static final class Copy {
        int nodeId;
        Map<Integer, String> voters;
        Path metadataDir;
        long brokerSessionTimeoutMs;
        long brokerLivenessProbeAfterMs;
        long electionTimeoutMinMs;
        long electionTimeoutMaxMs;
        boolean uncleanLeaderElectionEnable;
        boolean autoLeaderRebalanceEnable;
        long leaderImbalanceCheckIntervalMs;
        long snapshotThreshold;
        long metadataMaxIdleIntervalMs;
        long requestTimeoutMs;
        long idempotencyKeyRetentionMs;
        int idempotencyKeyMaxCount;

        Copy(ControllerConfig from) {
            nodeId = from.nodeId;
            voters = from.voters;
            metadataDir = from.metadataDir;
            brokerSessionTimeoutMs = from.brokerSessionTimeoutMs;
            brokerLivenessProbeAfterMs = from.brokerLivenessProbeAfterMs;
            electionTimeoutMinMs = from.electionTimeoutMinMs;
            electionTimeoutMaxMs = from.electionTimeoutMaxMs;
            uncleanLeaderElectionEnable = from.uncleanLeaderElectionEnable;
            autoLeaderRebalanceEnable = from.autoLeaderRebalanceEnable;
            leaderImbalanceCheckIntervalMs = from.leaderImbalanceCheckIntervalMs;
            snapshotThreshold = from.snapshotThreshold;
            metadataMaxIdleIntervalMs = from.metadataMaxIdleIntervalMs;
            requestTimeoutMs = from.requestTimeoutMs;
            idempotencyKeyRetentionMs = from.idempotencyKeyRetentionMs;
            idempotencyKeyMaxCount = from.idempotencyKeyMaxCount;
        }

        ControllerConfig build() {
            return new ControllerConfig(
                    nodeId,
                    voters,
                    metadataDir,
                    brokerSessionTimeoutMs,
                    brokerLivenessProbeAfterMs,
                    electionTimeoutMinMs,
                    electionTimeoutMaxMs,
                    uncleanLeaderElectionEnable,
                    autoLeaderRebalanceEnable,
                    leaderImbalanceCheckIntervalMs,
                    snapshotThreshold,
                    metadataMaxIdleIntervalMs,
                    requestTimeoutMs,
                    idempotencyKeyRetentionMs,
                    idempotencyKeyMaxCount);
        }
    }
}
