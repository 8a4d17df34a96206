package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.replication.PartitionError;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;
import java.util.Optional;

/**
 * Resolves a client's (topic, partition) against the broker's metadata view before any log is
 * touched, and turns errors into the API's form with a leader hint where one is known.
 */
public final class PartitionLookup {

    /** An answer's "no error", shared: answers carry one per partition, and a proto message is immutable. */
    static final Error NO_ERROR = error(ErrorCode.NONE, "");

    private PartitionLookup() {}

    /** The partition if the name is valid and the view knows it; otherwise a typed error. */
    sealed interface Result permits Found, Refused {}

    record Found(TopicPartition tp) implements Result {}

    record Refused(Error error) implements Result {}

    static Result resolve(BrokerMetadata metadata, String topic, int partition) {
        TopicPartition tp;
        try {
            tp = new TopicPartition(topic, Math.max(0, partition));
        } catch (InvalidTopicException e) {
            return new Refused(error(ErrorCode.INVALID_TOPIC, e.getMessage()));
        }
        if (!metadata.topics().containsKey(topic)) {
            return new Refused(error(
                    ErrorCode.UNKNOWN_TOPIC,
                    "topic '" + topic + "' does not exist (metadata version " + metadata.version()
                            + "); create it first, or retry if it was just created"));
        }
        if (partition < 0 || metadata.partition(topic, partition).isEmpty()) {
            return new Refused(error(
                    ErrorCode.UNKNOWN_PARTITION,
                    "topic '" + topic + "' has no partition " + partition + " (it has "
                            + metadata.topics().get(topic).getPartitionCount() + ")"));
        }
        return new Found(tp);
    }

    static Error error(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code).setMessage(message).build();
    }

    static Error error(PartitionError e) {
        return error(e.code(), e.message());
    }

    /**
     * The leader of {@code tp} as the view knows it, with its endpoint on the caller's listener when
     * registered; null if no partition.
     */
    private static LeaderHint leaderHint(BrokerMetadata metadata, TopicPartition tp, boolean externalCaller) {
        PartitionRecord p = metadata.partition(tp.topic(), tp.partition()).orElse(null);
        if (p == null) {
            return null;
        }
        LeaderHint.Builder hint =
                LeaderHint.newBuilder().setLeaderId(p.getLeader()).setLeaderEpoch(p.getLeaderEpoch());
        BrokerRegistration leader = metadata.brokers().get(p.getLeader());
        if (leader != null && leader.getEndpointsCount() > 0) {
            hint.setEndpoint(CallerEndpoints.forCaller(leader, externalCaller).getEndpoints(0));
        }
        return hint.build();
    }

    /** The leader hint an error about {@code tp} carries: only errors that mean "ask the leader" have one. */
    public static Optional<LeaderHint> hintFor(
            ErrorCode code, BrokerMetadata metadata, TopicPartition tp, boolean externalCaller) {
        boolean wanted = code == ErrorCode.NOT_LEADER
                || code == ErrorCode.FENCED_LEADER_EPOCH
                || code == ErrorCode.UNKNOWN_LEADER_EPOCH;
        return wanted ? Optional.ofNullable(leaderHint(metadata, tp, externalCaller)) : Optional.empty();
    }
}
