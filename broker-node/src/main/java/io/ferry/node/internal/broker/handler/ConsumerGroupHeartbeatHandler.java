package io.ferry.node.internal.broker.handler;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.HeartbeatRequest;
import io.ferry.group.HeartbeatResponse;
import io.ferry.group.TopicPartition;
import io.ferry.group.TopicsImage;
import io.ferry.group.Write;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.group.ClusterTopics;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.group.GroupTopics;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Error;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * ConsumerGroupHeartbeat on the group's coordinator. The fields that size or route anything (group id, list
 * lengths) and the pattern (which must compile as RE2) are checked here; the group logic checks the rest and
 * answers INVALID_REQUEST naming the field. The topics the group logic decides with are the cluster's now,
 * with the patterns of every member of the group and the request resolved to the topics their principals may
 * DESCRIBE ({@link GroupTopics}). Thread-safe.
 */
final class ConsumerGroupHeartbeatHandler {

    private final GroupCoordinatorRuntime runtime;
    private final GroupTopics topics;

    ConsumerGroupHeartbeatHandler(GroupCoordinatorRuntime runtime, GroupTopics topics) {
        this.runtime = runtime;
        this.topics = topics;
    }

    /**
     * @param clientHost the address the call came from, read on the call's thread
     * @param connection the connection the call came on, read on the call's thread: it becomes the member's
     *     connection, whose end shortens its session ({@code group.consumer.disconnect.grace.ms})
     * @param caller who sent it: its pattern resolves to the topics the caller may DESCRIBE
     */
    CompletableFuture<ConsumerGroupHeartbeatResponse> handle(
            ConsumerGroupHeartbeatRequest request,
            String clientHost,
            CallerConnection.Connection connection,
            Caller caller) {
        return decide(request, clientHost, connection, caller, CoordinatorShard::heartbeat);
    }

    /**
     * A classic member's JoinGroup, as a heartbeat that carries every field ({@link CoordinatorShard#classicJoin}):
     * checked and answered as {@link #handle} does.
     *
     * @param sessionTimeoutMs the member's own session timeout, which the caller has bounded
     */
    CompletableFuture<ConsumerGroupHeartbeatResponse> classicJoin(
            ConsumerGroupHeartbeatRequest request,
            int sessionTimeoutMs,
            String clientHost,
            CallerConnection.Connection connection,
            Caller caller) {
        return decide(
                request,
                clientHost,
                connection,
                caller,
                (shard, join, on, topics, now) -> shard.classicJoin(join, sessionTimeoutMs, on, topics, now));
    }

    /**
     * A classic member's LeaveGroup ({@link CoordinatorShard#classicLeave}): the member by its id, or by its
     * instance id alone.
     */
    CompletableFuture<ConsumerGroupHeartbeatResponse> classicLeave(
            ConsumerGroupHeartbeatRequest request,
            String clientHost,
            CallerConnection.Connection connection,
            Caller caller) {
        return decide(request, clientHost, connection, caller, CoordinatorShard::classicLeave);
    }

    /**
     * How a shard decides a heartbeat: {@link CoordinatorShard#heartbeat}, {@link CoordinatorShard#classicJoin} or
     * {@link CoordinatorShard#classicLeave}.
     */
    @FunctionalInterface
    private interface Decision {
        Write<HeartbeatResponse> decide(
                CoordinatorShard shard, HeartbeatRequest request, Object connection, TopicsImage topics, long nowMs);
    }

    private CompletableFuture<ConsumerGroupHeartbeatResponse> decide(
            ConsumerGroupHeartbeatRequest request,
            String clientHost,
            CallerConnection.Connection connection,
            Caller caller,
            Decision decision) {
        Error invalid = check(request);
        if (invalid != null) {
            return CompletableFuture.completedFuture(failed(request, invalid));
        }
        HeartbeatRequest heartbeat = heartbeatOf(request, clientHost);
        return runtime.write(request.getGroupId(), (shard, now) -> {
                    Write<HeartbeatResponse> decided = decision.decide(
                            shard,
                            heartbeat,
                            connection,
                            topics.forHeartbeat(
                                    shard,
                                    heartbeat.groupId(),
                                    heartbeat.memberId(),
                                    heartbeat.subscribedTopicRegex(),
                                    caller),
                            now);
                    topics.answered(heartbeat.groupId(), decided.response(), caller);
                    return decided;
                })
                .whenComplete((decided, failure) -> runtime.watchEnd(connection, request.getGroupId()))
                .handle((response, failure) ->
                        failure == null ? answer(response) : failed(request, GroupErrors.of(failure)));
    }

    private static Error check(ConsumerGroupHeartbeatRequest request) {
        Error error = RequestFields.firstOf(
                GroupRequestChecks.groupId(request.getGroupId()),
                GroupRequestChecks.listSize(
                        "subscribed_topic_names",
                        request.getSubscribedTopicNames().getNamesCount()),
                GroupRequestChecks.partitions(
                        "owned_topic_partitions",
                        request.getOwnedTopicPartitions().getTopicsList()));
        if (error == null && request.hasSubscribedTopicRegex()) {
            String pattern = request.getSubscribedTopicRegex();
            error = GroupRequestChecks.length("subscribed_topic_regex", pattern);
            if (error == null) {
                error = ClusterTopics.problemWith(pattern)
                        .map(problem -> GroupRequestChecks.invalid("subscribed_topic_regex '" + pattern
                                + "' is not a valid RE2 regular expression: " + problem))
                        .orElse(null);
            }
        }
        return error;
    }

    /** The request as the group logic takes it: a field not sent is null. */
    private static HeartbeatRequest heartbeatOf(ConsumerGroupHeartbeatRequest request, String clientHost) {
        List<TopicPartition> owned = request.hasOwnedTopicPartitions()
                ? List.copyOf(GroupRequestChecks.partitionsOf(
                        request.getOwnedTopicPartitions().getTopicsList()))
                : null;
        return new HeartbeatRequest(
                request.getGroupId(),
                request.getMemberId(),
                request.getMemberEpoch(),
                request.hasInstanceId() ? request.getInstanceId() : null,
                request.getRebalanceTimeoutMs(),
                request.getClientId(),
                clientHost,
                request.hasSubscribedTopicNames()
                        ? List.copyOf(request.getSubscribedTopicNames().getNamesList())
                        : null,
                request.hasSubscribedTopicRegex() ? request.getSubscribedTopicRegex() : null,
                owned);
    }

    private static ConsumerGroupHeartbeatResponse answer(HeartbeatResponse response) {
        ConsumerGroupHeartbeatResponse.Builder answer = ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(GroupErrors.of(response.error(), response.errorMessage()))
                .setMemberId(response.memberId())
                .setMemberEpoch(response.memberEpoch())
                .setHeartbeatIntervalMs(response.heartbeatIntervalMs());
        response.assignment()
                .ifPresent(assignment -> answer.setAssignment(ConsumerGroupHeartbeatResponse.Assignment.newBuilder()
                        .addAllTopics(GroupPartitions.byTopic(assignment))));
        return answer.build();
    }

    private static ConsumerGroupHeartbeatResponse failed(ConsumerGroupHeartbeatRequest request, Error error) {
        return ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(error)
                .setMemberId(request.getMemberId())
                .setMemberEpoch(request.getMemberEpoch())
                .build();
    }
}
