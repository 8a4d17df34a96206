package io.ferry.node.internal.broker.handler;

import io.ferry.group.ClassicMember;
import io.ferry.group.ClassicMemberStatus;
import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupError;
import io.ferry.group.Write;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.group.GroupTopics;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Error;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * A classic member's SyncGroup and Heartbeat on the group's coordinator ({@link
 * io.ferry.group.CoordinatorShard#classicSync}, {@link io.ferry.group.CoordinatorShard#classicHeartbeat}):
 * they write nothing, but run on the coordinator's thread, which keeps the member's session. Answered as a
 * heartbeat's answer: the error, the member's generation as its epoch, and for a SyncGroup its partitions.
 * Thread-safe.
 */
final class ClassicMemberHandler {

    private final GroupCoordinatorRuntime runtime;
    private final GroupTopics topics;

    ClassicMemberHandler(GroupCoordinatorRuntime runtime, GroupTopics topics) {
        this.runtime = runtime;
        this.topics = topics;
    }

    CompletableFuture<ConsumerGroupHeartbeatResponse> sync(
            ClassicMember member, CallerConnection.Connection connection) {
        return decide(member, connection, (shard, now) -> shard.classicSync(member, connection, now));
    }

    CompletableFuture<ConsumerGroupHeartbeatResponse> heartbeat(
            ClassicMember member, CallerConnection.Connection connection, Caller caller) {
        return decide(
                member,
                connection,
                (shard, now) -> shard.classicHeartbeat(
                        member,
                        connection,
                        topics.forHeartbeat(shard, member.groupId(), member.memberId(), null, caller),
                        now));
    }

    /** Checks the member's fields, then runs {@code decision} on its group's coordinator. */
    private CompletableFuture<ConsumerGroupHeartbeatResponse> decide(
            ClassicMember member,
            CallerConnection.Connection connection,
            BiFunction<CoordinatorShard, Long, ClassicMemberStatus> decision) {
        Error invalid = check(member);
        if (invalid != null) {
            return CompletableFuture.completedFuture(failed(member, invalid));
        }
        return runtime.write(member.groupId(), (shard, now) -> Write.answer(decision.apply(shard, now)))
                .whenComplete((status, failure) -> runtime.watchEnd(connection, member.groupId()))
                .handle((status, failure) ->
                        failure == null ? answered(member, status) : failed(member, GroupErrors.of(failure)));
    }

    private static Error check(ClassicMember member) {
        return RequestFields.firstOf(
                GroupRequestChecks.groupId(member.groupId()),
                GroupRequestChecks.length("member_id", member.memberId()),
                member.instanceId() == null
                        ? null
                        : GroupRequestChecks.length("group_instance_id", member.instanceId()));
    }

    private static ConsumerGroupHeartbeatResponse answered(ClassicMember member, ClassicMemberStatus status) {
        ConsumerGroupHeartbeatResponse.Builder answer = ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(GroupErrors.of(status.error(), status.errorMessage()))
                .setMemberId(member.memberId())
                .setMemberEpoch(member.generation());
        if (status.error() == GroupError.NONE) {
            answer.setAssignment(ConsumerGroupHeartbeatResponse.Assignment.newBuilder()
                    .addAllTopics(GroupPartitions.byTopic(status.assigned())));
        }
        return answer.build();
    }

    private static ConsumerGroupHeartbeatResponse failed(ClassicMember member, Error error) {
        return ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(error)
                .setMemberId(member.memberId())
                .setMemberEpoch(member.generation())
                .build();
    }
}
