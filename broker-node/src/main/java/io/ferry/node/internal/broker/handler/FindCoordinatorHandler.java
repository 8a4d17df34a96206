package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.group.OffsetsTopic;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import java.util.function.Supplier;

/**
 * FindCoordinator, answered by any broker from its metadata view: the coordinator of a group is the leader
 * of the {@code __consumer_offsets} partition its id hashes to. The first call of a cluster finds no such
 * topic and has it created; until it has leaders, calls are COORDINATOR_NOT_AVAILABLE. Thread-safe.
 */
final class FindCoordinatorHandler {

    private final Supplier<BrokerMetadata> metadata;
    private final OffsetsTopicCreation creation;

    FindCoordinatorHandler(Supplier<BrokerMetadata> metadata, OffsetsTopicCreation creation) {
        this.metadata = metadata;
        this.creation = creation;
    }

    /** @param externalCaller whether the call came on the external listener, whose addresses it gets */
    FindCoordinatorResponse handle(FindCoordinatorRequest request, boolean externalCaller) {
        Error invalid = GroupRequestChecks.groupId(request.getGroupId());
        if (invalid != null) {
            return failed(invalid);
        }
        BrokerMetadata view = metadata.get();
        TopicRecord topic = view.topics().get(OffsetsTopic.NAME);
        if (topic == null) {
            creation.request(view);
            return failed(PartitionLookup.error(
                    ErrorCode.COORDINATOR_NOT_AVAILABLE, OffsetsTopic.NAME + " is being created; retry shortly"));
        }
        int partition = OffsetsTopic.partitionFor(request.getGroupId(), topic.getPartitionCount());
        PartitionRecord record = view.partition(OffsetsTopic.NAME, partition).orElse(null);
        BrokerRegistration leader = record == null ? null : view.brokers().get(record.getLeader());
        if (leader == null || leader.getFenced() || leader.getEndpointsCount() == 0) {
            return failed(PartitionLookup.error(
                    ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    OffsetsTopic.NAME + "-" + partition + ", which holds group '" + request.getGroupId()
                            + "', has no leader that is alive now; retry"));
        }
        return FindCoordinatorResponse.newBuilder()
                .setError(GroupErrors.none())
                .setNodeId(leader.getBrokerId())
                .setEndpoint(CallerEndpoints.forCaller(leader, externalCaller).getEndpoints(0))
                .build();
    }

    private static FindCoordinatorResponse failed(Error error) {
        return FindCoordinatorResponse.newBuilder()
                .setError(error)
                .setNodeId(-1)
                .build();
    }
}
