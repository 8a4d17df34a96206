package io.ferry.node.internal.broker.handler;

import io.ferry.group.GroupError;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.OffsetCommitRequest;
import io.ferry.group.TopicPartition;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * OffsetCommit on the group's coordinator, answered once the offsets are replicated (acks=all). The request's
 * ids, epochs and partition list are checked first (INVALID_REQUEST for the whole request); a partition the
 * metadata view does not know is refused on its own (UNKNOWN_TOPIC, UNKNOWN_PARTITION, INVALID_TOPIC), and the
 * others go to the group logic, which refuses a member's commit made with an epoch it may not commit with
 * (STALE_MEMBER_EPOCH, ILLEGAL_GENERATION for a classic member, UNKNOWN_MEMBER_ID), a negative offset
 * (INVALID_COMMIT_OFFSET_SIZE) and metadata over {@code offset.metadata.max.bytes} (OFFSET_METADATA_TOO_LARGE), each for its partition. Thread-safe.
 */
final class OffsetCommitHandler {

    private final GroupCoordinatorRuntime runtime;
    private final Supplier<BrokerMetadata> metadata;

    OffsetCommitHandler(GroupCoordinatorRuntime runtime, Supplier<BrokerMetadata> metadata) {
        this.runtime = runtime;
        this.metadata = metadata;
    }

    CompletableFuture<OffsetCommitResponse> handle(io.ferry.proto.v1.OffsetCommitRequest request) {
        Error invalid = check(request);
        if (invalid != null) {
            return CompletableFuture.completedFuture(failed(invalid));
        }
        BrokerMetadata view = metadata.get();
        // Every partition in request order: its refusal, or null while the group logic decides.
        Map<TopicPartition, Error> outcomes = new LinkedHashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (io.ferry.proto.v1.OffsetCommitRequest.Topic topic : request.getTopicsList()) {
            for (io.ferry.proto.v1.OffsetCommitRequest.Partition p : topic.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                if (PartitionLookup.resolve(view, tp.topic(), tp.partition()) instanceof Refused refused) {
                    outcomes.put(tp, refused.error());
                } else {
                    outcomes.put(tp, null);
                    offsets.put(
                            tp,
                            new OffsetAndMetadata(
                                    p.getCommittedOffset(), p.getCommittedLeaderEpoch(), p.getCommittedMetadata(), -1));
                }
            }
        }
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(answer(outcomes));
        }
        String groupId = request.getGroupId();
        return runtime.write(
                        groupId,
                        (shard, now) -> shard.commitOffsets(
                                new OffsetCommitRequest(
                                        groupId,
                                        request.getMemberId(),
                                        request.getMemberEpoch(),
                                        new TreeMap<>(offsets)),
                                now))
                .handle((decided, failure) -> {
                    if (failure != null) {
                        return failed(GroupErrors.of(failure));
                    }
                    offsets.keySet().forEach(tp -> outcomes.put(tp, commitError(request, tp, decided.get(tp))));
                    return answer(outcomes);
                });
    }

    private static Error check(io.ferry.proto.v1.OffsetCommitRequest request) {
        Error error = RequestFields.firstOf(
                GroupRequestChecks.groupId(request.getGroupId()),
                GroupRequestChecks.length("member_id", request.getMemberId()),
                RequestFields.atLeast("member_epoch", request.getMemberEpoch(), -1, "-1 (no member) or a member epoch"),
                GroupRequestChecks.partitions(
                        "topics",
                        request.getTopicsList().stream()
                                .map(t -> PartitionsByTopic.newBuilder()
                                        .setTopic(t.getTopic())
                                        .addAllPartitions(t.getPartitionsList().stream()
                                                .map(io.ferry.proto.v1.OffsetCommitRequest.Partition::getPartition)
                                                .toList())
                                        .build())
                                .toList()));
        for (io.ferry.proto.v1.OffsetCommitRequest.Topic topic : request.getTopicsList()) {
            for (io.ferry.proto.v1.OffsetCommitRequest.Partition p : topic.getPartitionsList()) {
                String where = " of " + topic.getTopic() + "-" + p.getPartition();
                error = RequestFields.firstOf(
                        error, RequestFields.epoch("committed_leader_epoch" + where, p.getCommittedLeaderEpoch()));
            }
        }
        return error;
    }

    private static Error commitError(
            io.ferry.proto.v1.OffsetCommitRequest request, TopicPartition tp, GroupError outcome) {
        if (outcome == null || outcome == GroupError.NONE) {
            return GroupErrors.none();
        }
        String member = "member '" + request.getMemberId() + "' at epoch " + request.getMemberEpoch();
        String message = switch (outcome) {
            case STALE_MEMBER_EPOCH, ILLEGAL_GENERATION ->
                member + " may not commit " + tp
                        + ": the partition is not assigned to it at that epoch; it was not committed";
            case UNKNOWN_MEMBER_ID ->
                member + " is not in group '" + request.getGroupId() + "'; rejoin before committing";
            default -> outcome + ": the offset of " + tp + " was not committed";
        };
        return GroupErrors.of(outcome, message);
    }

    private static OffsetCommitResponse answer(Map<TopicPartition, Error> outcomes) {
        return OffsetCommitResponse.newBuilder()
                .setError(GroupErrors.none())
                .addAllTopics(GroupPartitions.errorsByTopic(outcomes))
                .build();
    }

    private static OffsetCommitResponse failed(Error error) {
        return OffsetCommitResponse.newBuilder().setError(error).build();
    }
}
