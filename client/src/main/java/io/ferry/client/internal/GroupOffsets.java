package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A group's committed offsets: OffsetCommit with the member's id and epoch (the coordinator fences a member
 * that is no longer one; an admin commits as no member, epoch -1), and OffsetFetch, both at the group's
 * coordinator.
 * Thread-safe as {@link GroupCoordinatorCalls} is.
 */
public final class GroupOffsets {

    private final String groupId;
    private final GroupCoordinatorCalls coordinators;

    public GroupOffsets(String groupId, GroupCoordinatorCalls coordinators) {
        this.groupId = groupId;
        this.coordinators = coordinators;
    }

    /**
     * Commits the offsets as the member {@code memberId} at {@code epoch}.
     *
     * @throws FerryException naming the partition for the first partition refused (STALE_MEMBER_EPOCH,
     *                        UNKNOWN_MEMBER_ID: the member lost its partitions meanwhile)
     */
    public void commit(
            Map<TopicPartition, OffsetAndMetadata> offsets, String memberId, int epoch, CallDeadline deadline) {
        if (offsets.isEmpty()) {
            return;
        }
        Map<String, OffsetCommitRequest.Topic.Builder> topics = new LinkedHashMap<>();
        offsets.forEach((tp, om) -> topics.computeIfAbsent(
                        tp.topic(), t -> OffsetCommitRequest.Topic.newBuilder().setTopic(t))
                .addPartitions(OffsetCommitRequest.Partition.newBuilder()
                        .setPartition(tp.partition())
                        .setCommittedOffset(om.offset())
                        .setCommittedLeaderEpoch(-1)
                        .setCommittedMetadata(om.metadata())));
        OffsetCommitRequest.Builder request = OffsetCommitRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(epoch);
        topics.values().forEach(request::addTopics);
        OffsetCommitResponse response = coordinators.call(
                "commit offsets of group " + groupId,
                groupId,
                s -> s.offsetCommit(request.build()),
                OffsetCommitResponse::getError,
                deadline);
        for (PartitionErrorsByTopic topic : response.getTopicsList()) {
            for (PartitionErrorsByTopic.PartitionError p : topic.getPartitionsList()) {
                if (p.getError().getCode() != ErrorCode.NONE) {
                    throw new FerryException(
                            p.getError().getCode(),
                            new TopicPartition(topic.getTopic(), p.getPartition()) + ": "
                                    + p.getError().getMessage());
                }
            }
        }
    }

    /** The committed offsets of the partitions that have one; of every such partition when none are given. */
    public Map<TopicPartition, OffsetAndMetadata> fetch(Collection<TopicPartition> partitions, CallDeadline deadline) {
        OffsetFetchRequest.Builder request =
                OffsetFetchRequest.newBuilder().setGroupId(groupId).addAllTopics(PartitionsByTopics.of(partitions));
        OffsetFetchResponse response = coordinators.call(
                "fetch offsets of group " + groupId,
                groupId,
                s -> s.offsetFetch(request.build()),
                OffsetFetchResponse::getError,
                deadline);
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        for (OffsetFetchResponse.Topic topic : response.getTopicsList()) {
            for (OffsetFetchResponse.Partition p : topic.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                if (p.getError().getCode() != ErrorCode.NONE) {
                    throw new FerryException(
                            p.getError().getCode(), tp + ": " + p.getError().getMessage());
                }
                if (p.getCommittedOffset() >= 0) {
                    out.put(tp, new OffsetAndMetadata(p.getCommittedOffset(), p.getMetadata()));
                }
            }
        }
        return out;
    }
}
