package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupMember;
import io.ferry.group.GroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One consumer group as its records left it: each record's key names one piece here, and replaying it sets
 * or (a tombstone) removes that piece and nothing else. So the state is a function of the last record of
 * each key, whatever order they come in, which is what a compacted log gives. Pieces may be missing while a
 * group is loaded (compaction reorders them); {@link #group} assembles the group from what there is.
 * Mutable, not thread-safe: its shard's thread owns it.
 */
public final class StoredGroup {

    private GroupMetadata metadata;
    private SortedMap<String, Integer> subscribedTopicPartitions;
    private Integer targetAssignmentEpoch;
    private final SortedMap<String, MemberSubscription> subscriptions = new TreeMap<>();
    private final SortedMap<String, Assignment> targets = new TreeMap<>();
    private final SortedMap<String, MemberAssignment> assignments = new TreeMap<>();

    /**
     * Applies a record of this group. The value is decoded whole before anything changes, so a malformed
     * record leaves the group as it was.
     *
     * @param value {@code null} for a tombstone
     * @throws io.ferry.group.MalformedGroupRecordException if the value cannot be read
     */
    public void replay(RecordKey key, byte[] value) {
        boolean remove = value == null;
        switch (key.type()) {
            case GROUP_METADATA -> metadata = remove ? null : RecordValues.decodeGroupMetadata(value);
            case PARTITION_METADATA ->
                subscribedTopicPartitions = remove ? null : RecordValues.decodePartitionMetadata(value);
            case TARGET_ASSIGNMENT_METADATA ->
                targetAssignmentEpoch = remove ? null : RecordValues.decodeTargetAssignmentMetadata(value);
            case MEMBER_METADATA ->
                put(subscriptions, key.memberId(), remove ? null : RecordValues.decodeMemberMetadata(value));
            case TARGET_ASSIGNMENT_MEMBER ->
                put(targets, key.memberId(), remove ? null : RecordValues.decodeTargetAssignmentMember(value));
            case CURRENT_MEMBER_ASSIGNMENT ->
                put(assignments, key.memberId(), remove ? null : RecordValues.decodeCurrentMemberAssignment(value));
            case OFFSET_COMMIT -> throw new IllegalArgumentException("an offset commit is not a group record: " + key);
        }
    }

    private static <V> void put(SortedMap<String, V> pieces, String memberId, V value) {
        if (value == null) {
            pieces.remove(memberId);
        } else {
            pieces.put(memberId, value);
        }
    }

    /** True once a ConsumerGroupMetadata record made the group: it exists for admin tools and heartbeats. */
    public boolean exists() {
        return metadata != null;
    }

    /** True when no piece is left: the shard forgets the group. */
    public boolean isGone() {
        return metadata == null
                && subscribedTopicPartitions == null
                && targetAssignmentEpoch == null
                && subscriptions.isEmpty()
                && targets.isEmpty()
                && assignments.isEmpty();
    }

    /** True when a member subscribes with a regular expression. */
    public boolean subscribesWithPattern() {
        return subscriptions.values().stream()
                .anyMatch(s -> s.subscribedTopicRegex().isPresent());
    }

    /** Since when the group has had no member, or {@link GroupMetadata#NOT_EMPTY}. */
    public long emptySinceMs() {
        return metadata == null ? GroupMetadata.NOT_EMPTY : metadata.emptySinceMs();
    }

    /**
     * The group, without timers (they are not persisted: {@link MemberTimers}). A member is one with a
     * ConsumerGroupMemberMetadata record; a missing piece is as a new group or a new member has it.
     *
     * @throws IllegalStateException if the records contradict each other, which only a bug writes
     */
    public ConsumerGroup group(String groupId) {
        TreeMap<String, GroupMember> members = new TreeMap<>();
        subscriptions.forEach((id, subscription) -> members.put(
                id, assignments.getOrDefault(id, MemberAssignment.NONE).member(id, subscription)));
        try {
            return new ConsumerGroup(
                    groupId,
                    metadata == null ? 0 : metadata.groupEpoch(),
                    targetAssignmentEpoch == null ? 0 : targetAssignmentEpoch,
                    targets,
                    members,
                    subscribedTopicPartitions == null ? new TreeMap<>() : subscribedTopicPartitions);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the records of group " + groupId + " contradict each other", e);
        }
    }

    /** A tombstone for every piece the group has: the records that delete it. */
    public List<GroupRecord> tombstones(String groupId) {
        List<RecordKey> keys = new ArrayList<>();
        assignments
                .keySet()
                .forEach(id -> keys.add(RecordKey.ofMember(RecordType.CURRENT_MEMBER_ASSIGNMENT, groupId, id)));
        targets.keySet().forEach(id -> keys.add(RecordKey.ofMember(RecordType.TARGET_ASSIGNMENT_MEMBER, groupId, id)));
        subscriptions.keySet().forEach(id -> keys.add(RecordKey.ofMember(RecordType.MEMBER_METADATA, groupId, id)));
        if (targetAssignmentEpoch != null) {
            keys.add(RecordKey.ofGroup(RecordType.TARGET_ASSIGNMENT_METADATA, groupId));
        }
        if (subscribedTopicPartitions != null) {
            keys.add(RecordKey.ofGroup(RecordType.PARTITION_METADATA, groupId));
        }
        if (metadata != null) {
            keys.add(RecordKey.ofGroup(RecordType.GROUP_METADATA, groupId));
        }
        return keys.stream().map(RecordKey::tombstone).toList();
    }
}
