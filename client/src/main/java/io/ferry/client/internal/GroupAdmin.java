package io.ferry.client.internal;

import io.ferry.client.BrokerInfo;
import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.FerryTransportException;
import io.ferry.client.MemberDescription;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.PartialGroupListingException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The admin calls on consumer groups behind {@code FerryAdmin}: each is sent to the group's coordinator
 * through {@link GroupCoordinatorCalls}, except ListGroups, which every broker answers for the groups it
 * coordinates (all asked at once, see {@link #list}). Failures are {@link FerryException}s with the
 * broker's code and message, naming the partition when one partition failed. Thread-safe as its
 * collaborators are.
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

    /**
     * Every broker's groups, sorted by id: the brokers come from a fresh metadata fetch and are asked at
     * once, then those that failed with a retriable error again after {@code retry.backoff.ms}, until the
     * call's deadline. One broker that does not answer must not hide the groups of the others (Kafka's
     * Admin lists what it can too), nor use up the time they have.
     *
     * @throws PartialGroupListingException when some brokers did not answer, with the groups of the others
     */
    public List<ConsumerGroupListing> list(CallDeadline deadline) {
        Collection<InetSocketAddress> brokers =
                metadata.awaitUpdate(deadline.nanos()).brokerAddresses();
        Map<String, ConsumerGroupListing> groups = new TreeMap<>();
        Map<InetSocketAddress, FerryException> failures = new LinkedHashMap<>();
        List<InetSocketAddress> pending = new ArrayList<>(brokers);
        while (!pending.isEmpty()) {
            Map<InetSocketAddress, CompletableFuture<ListGroupsResponse>> asked = new LinkedHashMap<>();
            pending.forEach(broker -> asked.put(broker, listGroups(broker, deadline)));
            pending = new ArrayList<>();
            for (Map.Entry<InetSocketAddress, CompletableFuture<ListGroupsResponse>> answer : asked.entrySet()) {
                InetSocketAddress broker = answer.getKey();
                FerryException failure = failure(answer.getValue());
                if (failure == null) {
                    failures.remove(broker);
                    answer.getValue()
                            .join()
                            .getGroupsList()
                            .forEach(g -> groups.put(
                                    g.getGroupId(), new ConsumerGroupListing(g.getGroupId(), g.getGroupState())));
                } else {
                    failures.put(broker, failure);
                    if (failure.retriable()) {
                        pending.add(broker);
                    }
                }
            }
            if (!pending.isEmpty() && !backOff(deadline, failures.get(pending.get(0)))) {
                break; // each pending broker's last error stays in failures
            }
        }
        List<ConsumerGroupListing> listed = List.copyOf(groups.values());
        if (failures.isEmpty()) {
            return listed;
        }
        Map<String, FerryException> byBroker = new TreeMap<>();
        failures.forEach((broker, e) -> byBroker.put(broker.getHostString() + ":" + broker.getPort(), e));
        throw new PartialGroupListingException(listed, byBroker, brokers.size());
    }

    private CompletableFuture<ListGroupsResponse> listGroups(InetSocketAddress broker, CallDeadline deadline) {
        UnaryAnswer<ListGroupsResponse> answer = new UnaryAnswer<>();
        GroupServiceGrpc.newStub(channels.get(broker))
                .withDeadlineAfter(deadline.requestTimeoutNanos(), TimeUnit.NANOSECONDS)
                .listGroups(ListGroupsRequest.getDefaultInstance(), answer);
        return answer.future();
    }

    /** Waits for the broker's answer (bounded by the request's gRPC deadline): null for a listing, else why not. */
    private static FerryException failure(CompletableFuture<ListGroupsResponse> answer) {
        try {
            Error error = answer.get().getError();
            return error.getCode() == ErrorCode.NONE ? null : new FerryException(error.getCode(), error.getMessage());
        } catch (ExecutionException e) {
            // Named by its status alone: PartialGroupListingException says which broker it was.
            return new FerryTransportException(
                    e.getCause() instanceof StatusRuntimeException s
                            ? s.getStatus().getCode() + ": " + s.getStatus().getDescription()
                            : String.valueOf(e.getCause()),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryInterruptedException("interrupted while listing groups", e);
        }
    }

    /** Pauses before the next round; false when the call has no time left for one. */
    private static boolean backOff(CallDeadline deadline, FerryException last) {
        try {
            deadline.backOff("list groups", last);
            return true;
        } catch (FerryTimeoutException e) {
            return false;
        }
    }

    /** Describes the groups, each asked of its coordinator; GROUP_ID_NOT_FOUND for one that does not exist. */
    public Map<String, ConsumerGroupDescription> describe(Collection<String> groupIds, CallDeadline deadline) {
        Map<String, ConsumerGroupDescription> out = new LinkedHashMap<>();
        for (String groupId : new LinkedHashSet<>(groupIds)) {
            DescribeGroupsRequest request =
                    DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build();
            GroupCoordinatorCalls.Answer<DescribeGroupsResponse> answer = coordinators.answer(
                    "describe group " + groupId,
                    groupId,
                    s -> s.describeGroups(request),
                    r -> r.getError().getCode() != ErrorCode.NONE || r.getGroupsCount() == 0
                            ? r.getError()
                            : r.getGroups(0).getError(),
                    deadline);
            out.put(groupId, description(answer.response().getGroups(0), answer.coordinator()));
        }
        return out;
    }

    private static ConsumerGroupDescription description(DescribeGroupsResponse.Description d, BrokerInfo coordinator) {
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
                d.getGroupId(),
                d.getGroupState(),
                d.getGroupEpoch(),
                d.getAssignorName(),
                List.copyOf(members),
                coordinator);
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
