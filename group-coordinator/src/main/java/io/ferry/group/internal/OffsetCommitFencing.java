package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupError;
import io.ferry.group.GroupMember;
import io.ferry.group.TopicPartition;
import java.util.Optional;

/**
 * Whether an offset commit may come from who it says it comes from, Kafka 4.4's rule (KIP-848 with
 * KIP-1251's assignment epochs).
 *
 * <ul>
 *   <li>A commit that names no member (epoch -1) is accepted only while the group has no member: it comes
 *       from an admin or a consumer that does not use the group.
 *   <li>A member's commit at its current epoch is accepted.
 *   <li>At an older epoch, it is accepted for a partition the member still owns, if the partition was
 *       assigned to it at that epoch or before: the heartbeat answer carrying the newer epoch may not have
 *       reached the client, but the partition has been its own all along, so no other member could have
 *       consumed it meanwhile. A partition it no longer owns, or received later, is refused.
 *   <li>A newer epoch than the member's, or a member the group does not know, is refused: a zombie that
 *       was removed (session or rebalance timeout) cannot overwrite its successor's offsets.
 * </ul>
 *
 * <p>A refused epoch is STALE_MEMBER_EPOCH, or ILLEGAL_GENERATION for a classic member, whose epoch is its
 * generation and whose client rejoins on that error, as Kafka answers it.
 */
public final class OffsetCommitFencing {

    private OffsetCommitFencing() {}

    public static GroupError check(ConsumerGroup group, String memberId, int memberEpoch, TopicPartition partition) {
        if (memberEpoch < 0 && (memberId == null || memberId.isEmpty())) {
            return group.members().isEmpty() ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID;
        }
        Optional<GroupMember> found = memberId == null ? Optional.empty() : group.member(memberId);
        if (found.isEmpty()) {
            return GroupError.UNKNOWN_MEMBER_ID;
        }
        GroupMember member = found.get();
        if (memberEpoch == member.memberEpoch() && memberEpoch >= 0) {
            return GroupError.NONE;
        }
        GroupError stale = member.isClassic() ? GroupError.ILLEGAL_GENERATION : GroupError.STALE_MEMBER_EPOCH;
        if (memberEpoch < 0 || memberEpoch > member.memberEpoch()) {
            return stale;
        }
        Integer assignedAt = member.assignmentEpochs().get(partition);
        boolean owned = member.ownedPartitions().contains(partition);
        return owned && assignedAt != null && assignedAt <= memberEpoch ? GroupError.NONE : stale;
    }
}
