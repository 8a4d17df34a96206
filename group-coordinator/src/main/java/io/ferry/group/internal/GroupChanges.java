package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The records that turn one state of a group into another: a record for each piece that changed, a tombstone
 * for each piece that is gone. Replayed into a {@link StoredGroup} holding {@code before}, they make it hold
 * {@code after} (timers aside: they are not persisted).
 */
public final class GroupChanges {

    private GroupChanges() {}

    /**
     * @param before the group as stored, timers cleared
     * @param emptySinceMs since when {@code before} has had no member ({@link GroupMetadata#NOT_EMPTY})
     * @param after the group as the coordinator computed it, timers cleared
     * @param nowMs the time of the change: if it leaves the group without members, its offsets are kept for
     *     offsets.retention.ms from now
     */
    public static List<GroupRecord> between(ConsumerGroup before, long emptySinceMs, ConsumerGroup after, long nowMs) {
        String groupId = after.groupId();
        TreeSet<String> memberIds = new TreeSet<>(before.members().keySet());
        memberIds.addAll(after.members().keySet());
        TreeSet<String> targetIds = new TreeSet<>(before.targetAssignment().keySet());
        targetIds.addAll(after.targetAssignment().keySet());
        List<GroupRecord> records = new ArrayList<>();
        for (String id : memberIds) {
            addIfChanged(
                    records,
                    RecordKey.ofMember(RecordType.MEMBER_METADATA, groupId, id),
                    before.member(id).map(MemberSubscription::of),
                    after.member(id).map(MemberSubscription::of),
                    RecordValues::encodeMemberMetadata);
        }
        addIfChanged(
                records,
                RecordKey.ofGroup(RecordType.GROUP_METADATA, groupId),
                Optional.of(new GroupMetadata(before.groupEpoch(), emptySinceMs)),
                Optional.of(new GroupMetadata(after.groupEpoch(), emptySince(before, emptySinceMs, after, nowMs))),
                RecordValues::encodeGroupMetadata);
        addIfChanged(
                records,
                RecordKey.ofGroup(RecordType.PARTITION_METADATA, groupId),
                Optional.of(before.subscribedTopicPartitions()),
                Optional.of(after.subscribedTopicPartitions()),
                RecordValues::encodePartitionMetadata);
        for (String id : targetIds) {
            addIfChanged(
                    records,
                    RecordKey.ofMember(RecordType.TARGET_ASSIGNMENT_MEMBER, groupId, id),
                    Optional.ofNullable(before.targetAssignment().get(id)),
                    Optional.ofNullable(after.targetAssignment().get(id)),
                    RecordValues::encodeTargetAssignmentMember);
        }
        addIfChanged(
                records,
                RecordKey.ofGroup(RecordType.TARGET_ASSIGNMENT_METADATA, groupId),
                Optional.of(before.targetAssignmentEpoch()),
                Optional.of(after.targetAssignmentEpoch()),
                RecordValues::encodeTargetAssignmentMetadata);
        for (String id : memberIds) {
            addIfChanged(
                    records,
                    RecordKey.ofMember(RecordType.CURRENT_MEMBER_ASSIGNMENT, groupId, id),
                    before.member(id).map(MemberAssignment::of),
                    after.member(id).map(MemberAssignment::of),
                    RecordValues::encodeCurrentMemberAssignment);
        }
        return records;
    }

    /** The record of a piece that changed: its new value, or a tombstone if it is gone. */
    private static <V> void addIfChanged(
            List<GroupRecord> records, RecordKey key, Optional<V> was, Optional<V> is, Function<V, byte[]> encode) {
        if (!was.equals(is)) {
            records.add(is.map(v -> key.with(encode.apply(v))).orElseGet(key::tombstone));
        }
    }

    private static long emptySince(ConsumerGroup before, long emptySinceMs, ConsumerGroup after, long nowMs) {
        if (!after.members().isEmpty()) {
            return GroupMetadata.NOT_EMPTY;
        }
        return before.members().isEmpty() ? emptySinceMs : nowMs;
    }
}
