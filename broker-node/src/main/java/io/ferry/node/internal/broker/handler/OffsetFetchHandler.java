package io.ferry.node.internal.broker.handler;

import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.TopicPartition;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetFetch on the group's coordinator: the committed offsets of the partitions asked for (in request
 * order, -1 for one without), or of every partition the group has one for (by topic and partition). Thread-safe.
 */
final class OffsetFetchHandler {

    private final GroupCoordinatorRuntime runtime;

    OffsetFetchHandler(GroupCoordinatorRuntime runtime) {
        this.runtime = runtime;
    }

    CompletableFuture<OffsetFetchResponse> handle(OffsetFetchRequest request) {
        Error invalid = RequestFields.firstOf(
                GroupRequestChecks.groupId(request.getGroupId()),
                GroupRequestChecks.partitions("topics", request.getTopicsList()));
        if (invalid != null) {
            return CompletableFuture.completedFuture(failed(invalid));
        }
        Optional<Set<TopicPartition>> asked = request.getTopicsCount() == 0
                ? Optional.empty()
                : Optional.of(GroupRequestChecks.partitionsOf(request.getTopicsList()));
        return runtime.read(request.getGroupId(), shard -> shard.fetchOffsets(request.getGroupId(), asked))
                .handle((offsets, failure) -> {
                    if (failure != null) {
                        return failed(GroupErrors.of(failure));
                    }
                    return answer(asked.isPresent() ? inOrder(asked.get(), offsets) : new TreeMap<>(offsets));
                });
    }

    /** Every partition asked for, in request order, with its offset or null. */
    private static Map<TopicPartition, OffsetAndMetadata> inOrder(
            Set<TopicPartition> asked, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, OffsetAndMetadata> ordered = new LinkedHashMap<>();
        asked.forEach(tp -> ordered.put(tp, offsets.get(tp)));
        return ordered;
    }

    /** @param offsets each partition's committed offset; null for one without */
    private static OffsetFetchResponse answer(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<String, OffsetFetchResponse.Topic.Builder> topics = new LinkedHashMap<>();
        offsets.forEach((tp, committed) -> {
            OffsetFetchResponse.Partition.Builder partition = OffsetFetchResponse.Partition.newBuilder()
                    .setPartition(tp.partition())
                    .setError(GroupErrors.none())
                    .setCommittedOffset(committed == null ? -1 : committed.offset())
                    .setCommittedLeaderEpoch(committed == null ? -1 : committed.leaderEpoch())
                    .setMetadata(committed == null ? "" : committed.metadata());
            topics.computeIfAbsent(
                            tp.topic(),
                            t -> OffsetFetchResponse.Topic.newBuilder().setTopic(t))
                    .addPartitions(partition);
        });
        List<OffsetFetchResponse.Topic> built = new ArrayList<>();
        topics.values().forEach(t -> built.add(t.build()));
        return OffsetFetchResponse.newBuilder()
                .setError(GroupErrors.none())
                .addAllTopics(built)
                .build();
    }

    private static OffsetFetchResponse failed(Error error) {
        return OffsetFetchResponse.newBuilder().setError(error).build();
    }
}
