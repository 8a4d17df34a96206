package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsPartitionResult;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsResponse;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.DeleteRecordsTopicResult;
import io.ferry.proto.v1.Error;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.security.AclOperation;
import io.ferry.storage.TopicPartition;
import java.util.function.Supplier;

/**
 * DeleteRecords on the partitions this broker leads: each partition's log start moves up to the offset
 * asked for ({@link ReplicaManager#deleteRecordsBefore}). Answered at once with the leader's new log
 * start; Kafka waits until every follower has reached it, Ferry's followers reach it with their next
 * fetch. Thread-safe.
 */
final class DeleteRecordsHandler {

    private final ReplicaManager replicaManager;
    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;

    DeleteRecordsHandler(
            ReplicaManager replicaManager, Supplier<BrokerMetadata> metadata, BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
        this.replicaManager = replicaManager;
        this.metadata = metadata;
    }

    DeleteRecordsResponse handle(DeleteRecordsRequest request, boolean externalCaller) {
        BrokerMetadata view = metadata.get();
        Caller caller = Caller.current();
        RequestPartitions partitions = new RequestPartitions(view);
        DeleteRecordsResponse.Builder response = DeleteRecordsResponse.newBuilder();
        for (DeleteRecordsTopic topic : request.getTopicsList()) {
            DeleteRecordsTopicResult.Builder t =
                    DeleteRecordsTopicResult.newBuilder().setTopic(topic.getTopic());
            Error denied = authorizer.topic(caller, AclOperation.DELETE, topic.getTopic());
            for (DeleteRecordsPartition p : topic.getPartitionsList()) {
                Error invalid = RequestFields.firstOf(
                        RequestFields.atLeast(
                                "offset", p.getOffset(), -1, "-1 (the high watermark) or an offset (0 or more)"),
                        denied,
                        InternalTopics.refused(topic.getTopic(), "delete the records of"));
                PartitionLookup.Result lookup = partitions.resolve(topic.getTopic(), p.getPartition(), invalid);
                t.addPartitions(deleteBefore(view, lookup, p, externalCaller));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private DeleteRecordsPartitionResult deleteBefore(
            BrokerMetadata view, PartitionLookup.Result lookup, DeleteRecordsPartition p, boolean externalCaller) {
        DeleteRecordsPartitionResult.Builder r = DeleteRecordsPartitionResult.newBuilder()
                .setPartition(p.getPartition())
                .setLowWatermark(-1);
        if (lookup instanceof Refused refused) {
            return r.setError(refused.error()).build();
        }
        TopicPartition tp = ((Found) lookup).tp();
        try {
            long start = replicaManager.deleteRecordsBefore(tp, p.getOffset());
            return r.setError(PartitionLookup.NO_ERROR).setLowWatermark(start).build();
        } catch (ReplicationException e) {
            r.setError(PartitionLookup.error(e.error()));
            PartitionLookup.hintFor(e.error().code(), view, tp, externalCaller).ifPresent(r::setLeader);
            return r.build();
        }
    }
}
