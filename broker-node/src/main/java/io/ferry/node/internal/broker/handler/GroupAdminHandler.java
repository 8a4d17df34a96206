package io.ferry.node.internal.broker.handler;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupDescription;
import io.ferry.group.GroupError;
import io.ferry.group.GroupListing;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ListGroupsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * ListGroups, DescribeGroups and DeleteGroups: each group on its coordinator, answered in request order; a
 * group another broker coordinates is NOT_COORDINATOR, one its coordinator does not know GROUP_ID_NOT_FOUND.
 * ListGroups lists the groups of the coordinators this broker runs, or fails as one of them does (still loading,
 * say). Thread-safe.
 */
final class GroupAdminHandler {

    private final GroupCoordinatorRuntime runtime;

    GroupAdminHandler(GroupCoordinatorRuntime runtime) {
        this.runtime = runtime;
    }

    CompletableFuture<ListGroupsResponse> list() {
        return runtime.readAll(CoordinatorShard::listGroups).handle((listings, failure) -> {
            if (failure != null) {
                return ListGroupsResponse.newBuilder()
                        .setError(GroupErrors.of(failure))
                        .build();
            }
            ListGroupsResponse.Builder response =
                    ListGroupsResponse.newBuilder().setError(GroupErrors.none());
            listings.stream().flatMap(List::stream).forEach(group -> response.addGroups(listing(group)));
            return response.build();
        });
    }

    private static ListGroupsResponse.Listing listing(GroupListing group) {
        return ListGroupsResponse.Listing.newBuilder()
                .setGroupId(group.groupId())
                .setGroupState(group.state().toString())
                .build();
    }

    CompletableFuture<DescribeGroupsResponse> describe(DescribeGroupsRequest request) {
        Error invalid = groupIds(request.getGroupIdsList());
        if (invalid != null) {
            return CompletableFuture.completedFuture(
                    DescribeGroupsResponse.newBuilder().setError(invalid).build());
        }
        List<CompletableFuture<DescribeGroupsResponse.Description>> described = new ArrayList<>();
        for (String groupId : request.getGroupIdsList()) {
            described.add(runtime.read(groupId, shard -> shard.describe(groupId))
                    .handle((group, failure) -> description(groupId, group, failure)));
        }
        return CompletableFuture.allOf(described.toArray(CompletableFuture[]::new))
                .thenApply(done -> DescribeGroupsResponse.newBuilder()
                        .setError(GroupErrors.none())
                        .addAllGroups(
                                described.stream().map(CompletableFuture::join).toList())
                        .build());
    }

    private static DescribeGroupsResponse.Description description(
            String groupId, Optional<GroupDescription> found, Throwable failure) {
        DescribeGroupsResponse.Description.Builder d =
                DescribeGroupsResponse.Description.newBuilder().setGroupId(groupId);
        if (failure != null) {
            return d.setError(GroupErrors.of(failure)).build();
        }
        if (found.isEmpty()) {
            return d.setError(notFound(groupId)).build();
        }
        GroupDescription group = found.get();
        d.setError(GroupErrors.none())
                .setGroupState(group.state().toString())
                .setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.targetAssignmentEpoch())
                .setAssignorName(group.assignorName());
        group.members().forEach(member -> {
            DescribeGroupsResponse.Member.Builder m = DescribeGroupsResponse.Member.newBuilder()
                    .setMemberId(member.memberId())
                    .setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setMemberEpoch(member.memberEpoch())
                    .addAllSubscribedTopicNames(member.subscribedTopicNames())
                    .addAllAssignment(GroupPartitions.byTopic(member.assignment()))
                    .addAllTargetAssignment(GroupPartitions.byTopic(member.targetAssignment()));
            member.instanceId().ifPresent(m::setInstanceId);
            member.subscribedTopicRegex().ifPresent(m::setSubscribedTopicRegex);
            d.addMembers(m);
        });
        return d.build();
    }

    CompletableFuture<DeleteGroupsResponse> delete(DeleteGroupsRequest request) {
        Error invalid = groupIds(request.getGroupIdsList());
        if (invalid != null) {
            return CompletableFuture.completedFuture(
                    DeleteGroupsResponse.newBuilder().setError(invalid).build());
        }
        List<CompletableFuture<DeleteGroupsResponse.Result>> deleted = new ArrayList<>();
        for (String groupId : request.getGroupIdsList()) {
            deleted.add(runtime.write(groupId, (shard, now) -> shard.deleteGroup(groupId, now))
                    .handle((outcome, failure) -> DeleteGroupsResponse.Result.newBuilder()
                            .setGroupId(groupId)
                            .setError(failure != null ? GroupErrors.of(failure) : deletion(groupId, outcome))
                            .build()));
        }
        return CompletableFuture.allOf(deleted.toArray(CompletableFuture[]::new))
                .thenApply(done -> DeleteGroupsResponse.newBuilder()
                        .setError(GroupErrors.none())
                        .addAllResults(
                                deleted.stream().map(CompletableFuture::join).toList())
                        .build());
    }

    private static Error deletion(String groupId, GroupError outcome) {
        return switch (outcome) {
            case NONE -> GroupErrors.none();
            case GROUP_ID_NOT_FOUND -> notFound(groupId);
            case NON_EMPTY_GROUP ->
                GroupErrors.of(
                        outcome, "group '" + groupId + "' still has members; it can be deleted once they have left");
            default -> GroupErrors.of(outcome, "group '" + groupId + "' was not deleted: " + outcome);
        };
    }

    private static Error notFound(String groupId) {
        return PartitionLookup.error(
                ErrorCode.GROUP_ID_NOT_FOUND, "group '" + groupId + "' does not exist on its coordinator");
    }

    /** Each id a valid group id, at most {@link GroupRequestChecks#MAX_LIST_SIZE} of them. */
    private static Error groupIds(List<String> groupIds) {
        Error error = GroupRequestChecks.listSize("group_ids", groupIds.size());
        for (int i = 0; error == null && i < groupIds.size(); i++) {
            error = GroupRequestChecks.groupId(groupIds.get(i));
        }
        return error;
    }
}
