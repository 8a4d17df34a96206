package io.ferry.controller.internal;

import io.ferry.controller.ControllerNode;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/** Checks of broker requests against the committed metadata, before anything is decided. Pure. */
final class RequestChecks {
    static final int MAX_INCARNATION_LENGTH = 128;
    static final int MAX_ENDPOINTS = 16;
    static final int MAX_HOST_LENGTH = 255;
    static final int MAX_ISR_CHANGES = ControllerNode.MAX_ISR_CHANGES_PER_REQUEST;

    private RequestChecks() {}

    /** Broker id, incarnation and endpoints are well formed and bounded. */
    static Error registration(RegisterBrokerRequest req) {
        if (req.getBrokerId() < 0) {
            return Errors.of(ErrorCode.INVALID_REQUEST, "broker id must be >= 0, got " + req.getBrokerId());
        }
        if (req.getIncarnationId().isEmpty() || req.getIncarnationId().length() > MAX_INCARNATION_LENGTH) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST, "incarnation id must be 1 to " + MAX_INCARNATION_LENGTH + " characters");
        }
        if (req.getEndpointsCount() > MAX_ENDPOINTS) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    "at most " + MAX_ENDPOINTS + " endpoints, got " + req.getEndpointsCount());
        }
        for (Endpoint e : req.getEndpointsList()) {
            if (e.getHost().isEmpty()
                    || e.getHost().length() > MAX_HOST_LENGTH
                    || e.getName().length() > MAX_HOST_LENGTH
                    || e.getPort() < 1
                    || e.getPort() > 65535) {
                return Errors.of(
                        ErrorCode.INVALID_REQUEST, "endpoint " + e.getName() + " needs a host and a port in 1..65535");
            }
        }
        return Errors.NONE;
    }

    /** The broker is registered with exactly this incarnation. */
    static Error incarnation(Optional<BrokerRegistration> broker, int id, String incarnation) {
        if (broker.isEmpty()) {
            return Errors.of(ErrorCode.UNKNOWN_BROKER, "broker " + id + " is not registered; register it first");
        }
        if (!broker.get().getIncarnationId().equals(incarnation)) {
            return Errors.of(
                    ErrorCode.BROKER_FENCED,
                    "broker " + id + " is registered with incarnation "
                            + broker.get().getIncarnationId() + ", not " + incarnation + "; register again");
        }
        return Errors.NONE;
    }

    /** A heartbeat reports at most as many unreachable brokers as are registered. */
    static Error unreachableBrokers(BrokerHeartbeatRequest req, int registeredBrokers) {
        if (req.getUnreachableBrokersCount() > registeredBrokers) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    "a heartbeat reports " + req.getUnreachableBrokersCount() + " unreachable brokers; only "
                            + registeredBrokers + " are registered");
        }
        return Errors.NONE;
    }

    /** A batch of ISR changes is bounded and names each partition once. */
    static Error isrChanges(AlterPartitionRequest req) {
        if (req.getChangesCount() > MAX_ISR_CHANGES) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    "at most " + MAX_ISR_CHANGES + " ISR changes per request, got " + req.getChangesCount());
        }
        Set<String> seen = new HashSet<>();
        for (PartitionIsrChange change : req.getChangesList()) {
            if (!seen.add(change.getTopic() + "\0" + change.getPartition())) {
                return Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "partition " + change.getTopic() + "-" + change.getPartition()
                                + " has more than one ISR change in the request");
            }
        }
        return Errors.NONE;
    }

    /**
     * An ISR change is accepted only from the partition's current leader, with its current leader
     * epoch and partition epoch, naming live replicas that include the leader.
     */
    static Error alterPartition(
            int brokerId,
            PartitionIsrChange req,
            boolean topicExists,
            Optional<PartitionRecord> current,
            BrokerRegistration broker,
            IntPredicate alive) {
        String tp = req.getTopic() + "-" + req.getPartition();
        if (!topicExists) {
            return Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + req.getTopic() + " does not exist");
        }
        if (current.isEmpty()) {
            return Errors.of(ErrorCode.UNKNOWN_PARTITION, "partition " + tp + " does not exist");
        }
        PartitionRecord p = current.get();
        if (broker.getFenced()) {
            return Errors.of(ErrorCode.BROKER_FENCED, "broker " + broker.getBrokerId() + " is fenced");
        }
        if (req.getLeaderEpoch() < p.getLeaderEpoch()) {
            return Errors.of(
                    ErrorCode.FENCED_LEADER_EPOCH,
                    "leader epoch " + req.getLeaderEpoch() + " of " + tp + " is stale; the current leader epoch is "
                            + p.getLeaderEpoch() + " (leader " + p.getLeader() + ")");
        }
        if (req.getLeaderEpoch() > p.getLeaderEpoch()) {
            return Errors.of(
                    ErrorCode.UNKNOWN_LEADER_EPOCH,
                    "leader epoch " + req.getLeaderEpoch() + " of " + tp + " is newer than the controller's "
                            + p.getLeaderEpoch());
        }
        if (p.getLeader() != brokerId) {
            return Errors.of(
                    ErrorCode.NOT_LEADER,
                    "broker " + brokerId + " does not lead " + tp + "; broker " + p.getLeader() + " does");
        }
        if (req.getPartitionEpoch() != p.getPartitionEpoch()) {
            return Errors.of(
                    ErrorCode.STALE_PARTITION_EPOCH,
                    "partition epoch " + req.getPartitionEpoch() + " of " + tp + " is not the current "
                            + p.getPartitionEpoch() + "; refresh metadata and retry");
        }
        Set<Integer> isr = new HashSet<>(req.getNewIsrList());
        if (isr.size() != req.getNewIsrCount()
                || !isr.contains(brokerId)
                || !p.getReplicasList().containsAll(isr)) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    "new ISR " + req.getNewIsrList() + " of " + tp + " must be distinct replicas of "
                            + p.getReplicasList() + " including the leader");
        }
        for (int b : isr) {
            if (!alive.test(b)) {
                return Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "new ISR " + req.getNewIsrList() + " of " + tp + " names broker " + b
                                + ", which is fenced or unknown");
            }
        }
        return Errors.NONE;
    }
}
