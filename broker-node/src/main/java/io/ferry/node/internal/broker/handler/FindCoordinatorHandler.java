package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.group.CoordinatorLookup;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import java.util.function.Supplier;

/**
 * FindCoordinator, answered by any broker from its metadata view ({@link CoordinatorLookup}); until the offsets
 * topic exists and has leaders, calls are COORDINATOR_NOT_AVAILABLE. Thread-safe.
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
        CoordinatorLookup.Found found = CoordinatorLookup.find(metadata.get(), request.getGroupId(), creation);
        if (!found.found()) {
            return failed(PartitionLookup.error(ErrorCode.COORDINATOR_NOT_AVAILABLE, found.unavailable()));
        }
        BrokerRegistration leader = found.coordinator();
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
