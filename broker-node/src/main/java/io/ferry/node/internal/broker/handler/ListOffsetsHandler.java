package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import io.ferry.replication.OffsetAndEpoch;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.security.AclOperation;
import io.ferry.storage.TopicPartition;
import java.util.function.Supplier;

/**
 * ListOffsets on the partitions this broker leads ({@link ReplicaManager#listOffset}): the log start,
 * the high watermark, or the first offset at or after a timestamp. Answered at once. Thread-safe.
 */
final class ListOffsetsHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;

    ListOffsetsHandler(ReplicaManager replicaManager, Supplier<BrokerMetadata> metadata, BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
        this.replicaManager = replicaManager;
        this.metadata = metadata;
    }

    ListOffsetsResponse handle(ListOffsetsRequest request, boolean externalCaller) {
        BrokerMetadata view = metadata.get();
        Caller caller = Caller.current();
        RequestPartitions partitions = new RequestPartitions(view);
        ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
        for (ListOffsetsTopic topic : request.getTopicsList()) {
            ListOffsetsTopicResult.Builder t =
                    ListOffsetsTopicResult.newBuilder().setTopic(topic.getTopic());
            Error denied = authorizer.topic(caller, AclOperation.DESCRIBE, topic.getTopic());
            for (ListOffsetsPartition p : topic.getPartitionsList()) {
                Error invalid = RequestFields.firstOf(
                        RequestFields.atLeast(
                                "timestamp",
                                p.getTimestamp(),
                                -2,
                                "-2 (earliest), -1 (latest) or milliseconds since the epoch"),
                        denied);
                PartitionLookup.Result lookup = partitions.resolve(topic.getTopic(), p.getPartition(), invalid);
                t.addPartitions(listOffset(view, lookup, p, externalCaller));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private ListOffsetsPartitionResult listOffset(
            BrokerMetadata view, PartitionLookup.Result lookup, ListOffsetsPartition p, boolean externalCaller) {
        ListOffsetsPartitionResult.Builder r = ListOffsetsPartitionResult.newBuilder()
                .setPartition(p.getPartition())
                .setOffset(-1)
                .setTimestamp(-1)
                .setLeaderEpoch(-1);
        if (lookup instanceof Refused refused) {
            return r.setError(refused.error()).build();
        }
        TopicPartition tp = ((Found) lookup).tp();
        try {
            OffsetAndEpoch found = replicaManager.listOffset(tp, p.getTimestamp());
            return r.setError(PartitionLookup.NO_ERROR)
                    .setOffset(found.offset())
                    .setTimestamp(found.timestampMs())
                    .setLeaderEpoch(found.leaderEpoch())
                    .build();
        } catch (ReplicationException e) {
            r.setError(PartitionLookup.error(e.error()));
            PartitionLookup.hintFor(e.error().code(), view, tp, externalCaller).ifPresent(r::setLeader);
            return r.build();
        }
    }
}
