package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.TopicPartition;
import io.ferry.group.TopicsImage;
import java.util.Map;
import java.util.Optional;

/**
 * When a classic member must rejoin. A classic member moves towards its target only on a JoinGroup, which
 * reports what it owns; its Heartbeat and SyncGroup only say whether it must join again, with
 * REBALANCE_IN_PROGRESS, as Kafka's coordinator tells the classic members of a consumer group.
 */
public final class ClassicRebalance {

    private ClassicRebalance() {}

    /**
     * Why a Heartbeat must answer REBALANCE_IN_PROGRESS, or empty: the group moved to a newer epoch, the member
     * has partitions to give up, some partition it waits for was released, or the partition count of a topic
     * the group subscribes to changed (which the next join turns into a new epoch).
     */
    public static Optional<String> onHeartbeat(ConsumerGroup group, GroupMember member, TopicsImage topics) {
        if (member.state() == MemberState.UNREVOKED_PARTITIONS) {
            return Optional.of("member " + member.memberId() + " must give up " + member.partitionsPendingRevocation());
        }
        Optional<String> behind = behind(group, member);
        if (behind.isPresent()) {
            return behind;
        }
        if (member.state() == MemberState.UNRELEASED_PARTITIONS) {
            Map<TopicPartition, String> owners = group.partitionOwners();
            Assignment released = group.targetOf(member.memberId())
                    .minus(member.assignedPartitions())
                    .filter(tp -> !owners.containsKey(tp));
            if (!released.isEmpty()) {
                return Optional.of(
                        "partitions assigned to member " + member.memberId() + " were released: " + released);
            }
        }
        if (!ConsumerGroup.subscribedPartitions(group.members(), topics).equals(group.subscribedTopicPartitions())) {
            return Optional.of("the partitions of a topic group " + group.groupId() + " subscribes to changed");
        }
        return Optional.empty();
    }

    /**
     * Why a SyncGroup must answer REBALANCE_IN_PROGRESS, or empty: the group moved past the member's epoch
     * since it joined. A member with partitions to give up syncs first, to learn which.
     */
    public static Optional<String> onSync(ConsumerGroup group, GroupMember member) {
        return member.state() == MemberState.UNREVOKED_PARTITIONS ? Optional.empty() : behind(group, member);
    }

    private static Optional<String> behind(ConsumerGroup group, GroupMember member) {
        return member.memberEpoch() < group.groupEpoch()
                ? Optional.of("group " + group.groupId() + " is at epoch " + group.groupEpoch() + ", member "
                        + member.memberId() + " at " + member.memberEpoch())
                : Optional.empty();
    }
}
