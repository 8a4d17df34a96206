package io.ferry.node.internal.broker.handler;

import io.ferry.group.GroupError;
import io.ferry.group.TopicPartition;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.OffsetDeleteRequest;
import io.ferry.proto.v1.OffsetDeleteResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** OffsetDelete on the group's coordinator: each partition's outcome, in request order. Thread-safe. */
final class OffsetDeleteHandler {

    private final GroupCoordinatorRuntime runtime;

    OffsetDeleteHandler(GroupCoordinatorRuntime runtime) {
        this.runtime = runtime;
    }

    CompletableFuture<OffsetDeleteResponse> handle(OffsetDeleteRequest request) {
        Error invalid = RequestFields.firstOf(
                GroupRequestChecks.groupId(request.getGroupId()),
                GroupRequestChecks.partitions("topics", request.getTopicsList()));
        if (invalid != null) {
            return CompletableFuture.completedFuture(failed(invalid));
        }
        String groupId = request.getGroupId();
        Set<TopicPartition> partitions = GroupRequestChecks.partitionsOf(request.getTopicsList());
        return runtime.write(groupId, (shard, now) -> shard.deleteOffsets(groupId, partitions))
                .handle((outcomes, failure) -> {
                    if (failure != null) {
                        return failed(GroupErrors.of(failure));
                    }
                    Map<TopicPartition, Error> errors = new LinkedHashMap<>();
                    for (TopicPartition tp : partitions) {
                        GroupError outcome = outcomes.getOrDefault(tp, GroupError.NONE);
                        errors.put(
                                tp,
                                GroupErrors.of(
                                        outcome,
                                        outcome + ": the offset of " + tp + " in group '" + groupId
                                                + "' was not deleted"));
                    }
                    return OffsetDeleteResponse.newBuilder()
                            .setError(GroupErrors.none())
                            .addAllTopics(GroupPartitions.errorsByTopic(errors))
                            .build();
                });
    }

    private static OffsetDeleteResponse failed(Error error) {
        return OffsetDeleteResponse.newBuilder().setError(error).build();
    }
}
