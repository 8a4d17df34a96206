package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Error;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.security.AclOperation;
import io.ferry.storage.EpochEndOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a leader epoch ends in the leader's log ({@link ReplicaManager#endOffsetForEpoch}), for a consumer that
 * checks its position after a leader change (Kafka's OffsetForLeaderEpoch; Ferry's own followers learn it from
 * their fetches). DESCRIBE on the topic, as Kafka asks of a consumer. Answered at once. Thread-safe.
 */
public final class OffsetForLeaderEpochHandler {

    /** One partition asked about: the leader epoch the caller knows (-1: unchecked) and the epoch it asks for. */
    public record Query(String topic, int partition, int currentLeaderEpoch, int leaderEpoch) {}

    /** Its answer: the largest epoch at or below the one asked for and where it ends, or an error. */
    public record Answer(Error error, int leaderEpoch, long endOffset) {}

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;

    OffsetForLeaderEpochHandler(
            ReplicaManager replicaManager, Supplier<BrokerMetadata> metadata, BrokerAuthorizer authorizer) {
        this.replicaManager = replicaManager;
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    /** One answer per query, in their order; a partition named twice is refused the second time. */
    List<Answer> handle(List<Query> queries) {
        Caller caller = Caller.current();
        RequestPartitions partitions = new RequestPartitions(metadata.get());
        List<Answer> answers = new ArrayList<>(queries.size());
        for (Query query : queries) {
            Error refusal = RequestFields.firstOf(
                    authorizer.topic(caller, AclOperation.DESCRIBE, query.topic()),
                    RequestFields.epoch("current_leader_epoch", query.currentLeaderEpoch()),
                    RequestFields.atLeast("leader_epoch", query.leaderEpoch(), 0, "a leader epoch (0 or more)"));
            PartitionLookup.Result lookup = partitions.resolve(query.topic(), query.partition(), refusal);
            if (lookup instanceof Refused refused) {
                answers.add(undefined(refused.error()));
            } else if (lookup instanceof Found found) {
                try {
                    EpochEndOffset end = replicaManager.endOffsetForEpoch(
                            found.tp(), query.currentLeaderEpoch(), query.leaderEpoch());
                    answers.add(new Answer(PartitionLookup.NO_ERROR, end.epoch(), end.endOffset()));
                } catch (ReplicationException e) {
                    answers.add(undefined(PartitionLookup.error(e.error())));
                }
            }
        }
        return answers;
    }

    private static Answer undefined(Error error) {
        return new Answer(error, EpochEndOffset.UNDEFINED_EPOCH, EpochEndOffset.UNDEFINED_OFFSET);
    }
}
