package io.ferry.client.internal;

import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.FerryException;
import io.ferry.client.FerryTransportException;
import io.ferry.client.MemberDescription;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.ListGroupsRequest;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.OffsetDeleteRequest;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionsByTopic;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The admin calls on consumer groups behind {@code FerryAdmin}: each is sent to the group's coordinator
 * through {@link GroupCoordinatorCalls}, except ListGroups, which every broker answers for the groups it
 * coordinates. Failures are {@link FerryException}s with the broker's code and message, naming the
 * partition when one partition failed. Thread-safe as its collaborators are.
 */
public final class GroupAdmin {

    /** A commit from outside the group (Kafka's admin commit), accepted only while the group has no members. */
    private static final int NO_MEMBER_EPOCH = -1;

    private static final String NO_MEMBER_ID = "";

    private final MetadataManager metadata;
    private final Channels channels;
    private final GroupCoordinatorCalls coordinators;

    public GroupAdmin(MetadataManager metadata, Channels channels, GroupCoordinatorCalls coordinators) {
        this.metadata = metadata;
        this.channels = channels;
        this.coordinators = coordinators;
    }

    /** Every broker's groups, sorted by id: the brokers come from a fresh metadata fetch. */
    public List<ConsumerGroupListing> list(CallDeadline deadline) {
        Map<String, ConsumerGroupListing> groups = new TreeMap<>();
        for (InetSocketAddress broker : metadata.awaitUpdate(deadline.nanos()).brokerAddresses()) {
            for (ListGroupsResponse.Listing g : listGroups(broker, deadline)) {
                groups.put(g.getGroupId(), new ConsumerGroupListing(g.getGroupId(), g.getGroupState()));
            }
        }
        return List.copyOf(groups.values());
    }

    /** One broker's groups, asked again while one of its coordinators is still loading. */
    private List<ListGroupsResponse.Listing> listGroups(InetSocketAddress broker, CallDeadline deadline) {
        String what = "list groups of broker " + broker.getHostString() + ":" + broker.getPort();
        while (true) {
            FerryException failure;
            try {
                ListGroupsResponse response = GroupServiceGrpc.newBlockingStub(channels.get(broker))
                        .withDeadlineAfter(deadline.requestTimeoutNanos(), TimeUnit.NANOSECONDS)
                        .listGroups(ListGroupsRequest.getDefaultInstance());
                if (response.getError().getCode() == ErrorCode.NONE) {
                    return response.getGroupsList();
                }
                failure = new FerryException(
                        response.getError().getCode(), response.getError().getMessage());
                if (!failure.retriable()) {
                    throw failure;
                }
            } catch (StatusRuntimeException e) {
                failure = new FerryTransportException(what + " failed: " + e.getStatus(), e);
            }
            deadline.backOff(what, failure);
        }
    }

    /** Describes the groups, each asked of its coordinator; GROUP_ID_NOT_FOUND for one that does not exist. */
    public Map<String, ConsumerGroupDescription> describe(Collection<String> groupIds, CallDeadline deadline) {
        Map<String, ConsumerGroupDescription> out = new LinkedHashMap<>();
        for (String groupId : new LinkedHashSet<>(groupIds)) {
            DescribeGroupsRequest request =
                    DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build();
            DescribeGroupsResponse response = coordinators.call(
                    "describe group " + groupId,
                    groupId,
                    s -> s.describeGroups(request),
                    r -> r.getError().getCode() != ErrorCode.NONE || r.getGroupsCount() == 0
                            ? r.getError()
                            : r.getGroups(0).getError(),
                    deadline);
            out.put(groupId, description(response.getGroups(0)));
        }
        return out;
    }

    private static ConsumerGroupDescription description(DescribeGroupsResponse.Description d) {
        List<MemberDescription> members = new ArrayList<>();
        for (DescribeGroupsResponse.Member m : d.getMembersList()) {
            members.add(new MemberDescription(
                    m.getMemberId(),
                    m.hasInstanceId() ? Optional.of(m.getInstanceId()) : Optional.empty(),
                    m.getClientId(),
                    m.getClientHost(),
                    m.getMemberEpoch(),
                    partitions(m.getAssignmentList())));
        }
        members.sort(Comparator.comparing(MemberDescription::memberId));
        return new ConsumerGroupDescription(
                d.getGroupId(), d.getGroupState(), d.getGroupEpoch(), d.getAssignorName(), List.copyOf(members));
    }

    private static Set<TopicPartition> partitions(List<PartitionsByTopic> topics) {
        Set<TopicPartition> out = new LinkedHashSet<>();
        topics.forEach(t -> t.getPartitionsList().forEach(p -> out.add(new TopicPartition(t.getTopic(), p))));
        return Set.copyOf(out);
    }

    /** The group's committed offsets, of every partition that has one. */
    public Map<TopicPartition, OffsetAndMetadata> offsets(String groupId, CallDeadline deadline) {
        return new GroupOffsets(groupId, coordinators).fetch(List.of(), deadline);
    }

    /** Commits the offsets from outside the group; refused by the coordinator while the group has members. */
    public void alterOffsets(String groupId, Map<TopicPartition, Long> offsets, CallDeadline deadline) {
        Map<TopicPartition, OffsetAndMetadata> committed = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> committed.put(tp, new OffsetAndMetadata(offset, "")));
        new GroupOffsets(groupId, coordinators).commit(committed, NO_MEMBER_ID, NO_MEMBER_EPOCH, deadline);
    }

    /** Deletes the group's committed offsets of the partitions. */
    public void deleteOffsets(String groupId, Collection<TopicPartition> partitions, CallDeadline deadline) {
        OffsetDeleteRequest.Builder request =
                OffsetDeleteRequest.newBuilder().setGroupId(groupId).addAllTopics(PartitionsByTopics.of(partitions));
        OffsetDeleteResponse response = coordinators.call(
                "delete offsets of group " + groupId,
                groupId,
                s -> s.offsetDelete(request.build()),
                OffsetDeleteResponse::getError,
                deadline);
        throwIfAnyFailed(response.getTopicsList());
    }

    /** Deletes the groups with their offsets, each at its coordinator; NON_EMPTY_GROUP for one with members. */
    public void delete(Collection<String> groupIds, CallDeadline deadline) {
        for (String groupId : new LinkedHashSet<>(groupIds)) {
            DeleteGroupsRequest request =
                    DeleteGroupsRequest.newBuilder().addGroupIds(groupId).build();
            coordinators.call(
                    "delete group " + groupId,
                    groupId,
                    s -> s.deleteGroups(request),
                    r -> r.getError().getCode() != ErrorCode.NONE || r.getResultsCount() == 0
                            ? r.getError()
                            : r.getResults(0).getError(),
                    deadline);
        }
    }

    private static void throwIfAnyFailed(List<PartitionErrorsByTopic> topics) {
        for (PartitionErrorsByTopic topic : topics) {
            for (PartitionErrorsByTopic.PartitionError p : topic.getPartitionsList()) {
                throwIfFailed(new TopicPartition(topic.getTopic(), p.getPartition()), p.getError());
            }
        }
    }

    private static void throwIfFailed(TopicPartition tp, Error error) {
        if (error.getCode() != ErrorCode.NONE) {
            throw new FerryException(error.getCode(), tp + ": " + error.getMessage());
        }
    }
}
