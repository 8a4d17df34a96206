package io.ferry.group;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state of one consumer group (KIP-848). Immutable: {@link GroupCoordinator} computes the next state
 * from this one and a request or the time, so the caller decides when a new state becomes the group's
 * (once it is persisted), as Kafka's coordinator applies only records it has written.
 *
 * @param groupEpoch bumped whenever the membership, a subscription, or the partition count of a subscribed
 *     topic changes; a target assignment for it is then computed on the next heartbeat
 * @param targetAssignmentEpoch the group epoch {@code targetAssignment} was computed for; never above
 *     {@code groupEpoch}
 * @param targetAssignment member id to the partitions it should have once reconciled
 * @param subscribedTopicPartitions the partition count of every existing topic some member subscribes to, as
 *     of the last epoch bump: a change of it is a change of the group
 */
public record ConsumerGroup(
        String groupId,
        int groupEpoch,
        int targetAssignmentEpoch,
        SortedMap<String, Assignment> targetAssignment,
        SortedMap<String, GroupMember> members,
        SortedMap<String, Integer> subscribedTopicPartitions) {

    public ConsumerGroup {
        Objects.requireNonNull(groupId, "groupId");
        if (targetAssignmentEpoch > groupEpoch) {
            throw new IllegalArgumentException(
                    "target assignment epoch " + targetAssignmentEpoch + " above group epoch " + groupEpoch);
        }
        targetAssignment = Collections.unmodifiableSortedMap(new TreeMap<>(targetAssignment));
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        subscribedTopicPartitions = Collections.unmodifiableSortedMap(new TreeMap<>(subscribedTopicPartitions));
    }

    /** A group no member has joined yet. */
    public static ConsumerGroup empty(String groupId) {
        return new ConsumerGroup(groupId, 0, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    public Optional<GroupMember> member(String memberId) {
        return Optional.ofNullable(members.get(memberId));
    }

    /** The member holding the given group.instance.id. */
    public Optional<GroupMember> staticMember(String instanceId) {
        return members.values().stream()
                .filter(m -> m.instanceId().filter(instanceId::equals).isPresent())
                .findFirst();
    }

    /** The target assignment of a member; empty for a member the target does not know yet. */
    public Assignment targetOf(String memberId) {
        return targetAssignment.getOrDefault(memberId, Assignment.EMPTY);
    }

    /**
     * Each partition some member owns (assigned or pending revocation), with that member's id.
     *
     * @throws IllegalStateException if two members own one partition, which reconciliation never lets
     *     happen
     */
    public Map<TopicPartition, String> partitionOwners() {
        Map<TopicPartition, String> owners = new HashMap<>();
        for (GroupMember m : members.values()) {
            for (TopicPartition tp : m.ownedPartitions().partitions()) {
                String previous = owners.put(tp, m.memberId());
                if (previous != null) {
                    throw new IllegalStateException(tp + " owned by both " + previous + " and " + m.memberId());
                }
            }
        }
        return owners;
    }

    /**
     * Whether some member subscribes to the topic: by name, or by a regular expression that matched it when
     * the group epoch was last bumped. The group's offsets of such a topic are in use: they do not expire,
     * and OffsetDelete refuses them.
     */
    public boolean isSubscribedTo(String topic) {
        return subscribedTopicPartitions.containsKey(topic)
                || members.values().stream()
                        .anyMatch(m -> m.subscribedTopicNames().contains(topic));
    }

    public ConsumerGroup withMember(GroupMember member) {
        TreeMap<String, GroupMember> updated = new TreeMap<>(members);
        updated.put(member.memberId(), member);
        return new ConsumerGroup(
                groupId, groupEpoch, targetAssignmentEpoch, targetAssignment, updated, subscribedTopicPartitions);
    }

    /**
     * Without the given member, at a new group epoch: its partitions are free for the others at once, as a
     * removed member is fenced and its commits refused.
     */
    public ConsumerGroup withoutMember(String memberId, TopicsImage topics) {
        TreeMap<String, GroupMember> updated = new TreeMap<>(members);
        updated.remove(memberId);
        TreeMap<String, Assignment> target = new TreeMap<>(targetAssignment);
        target.remove(memberId);
        return new ConsumerGroup(
                groupId, groupEpoch + 1, targetAssignmentEpoch, target, updated, subscribedPartitions(updated, topics));
    }

    /** A new group epoch, with the subscribed topics' partition counts as they are now. */
    public ConsumerGroup bumped(TopicsImage topics) {
        return new ConsumerGroup(
                groupId,
                groupEpoch + 1,
                targetAssignmentEpoch,
                targetAssignment,
                members,
                subscribedPartitions(members, topics));
    }

    public ConsumerGroup withTargetAssignment(int epoch, Map<String, Assignment> target) {
        return new ConsumerGroup(groupId, groupEpoch, epoch, new TreeMap<>(target), members, subscribedTopicPartitions);
    }

    /**
     * The member's target moved to another member id (a static member's new incarnation), and the member
     * replaced; no epoch bump, as the group's membership did not change.
     */
    public ConsumerGroup withReplacedMember(String oldMemberId, GroupMember replacement) {
        TreeMap<String, GroupMember> updated = new TreeMap<>(members);
        updated.remove(oldMemberId);
        updated.put(replacement.memberId(), replacement);
        TreeMap<String, Assignment> target = new TreeMap<>(targetAssignment);
        Assignment moved = target.remove(oldMemberId);
        if (moved != null) {
            target.put(replacement.memberId(), moved);
        }
        return new ConsumerGroup(
                groupId, groupEpoch, targetAssignmentEpoch, target, updated, subscribedTopicPartitions);
    }

    /**
     * Whether some member's target holds a topic the member no longer subscribes to. The group's subscribed
     * topics as a whole can stay the same while one member's shrink: its pattern no longer resolves to a topic
     * its principal lost DESCRIBE on, which another member still subscribes to. Such a target must be computed
     * again, or the member would keep that topic.
     */
    public boolean targetOutsideSubscriptions(TopicsImage topics) {
        for (GroupMember m : members.values()) {
            Set<String> targetTopics = targetOf(m.memberId()).byTopic().keySet();
            if (!targetTopics.isEmpty() && !m.subscribedTopics(topics).containsAll(targetTopics)) {
                return true;
            }
        }
        return false;
    }

    /** The partition counts the group would record now: a difference from the recorded ones bumps the epoch. */
    public static SortedMap<String, Integer> subscribedPartitions(
            Map<String, GroupMember> members, TopicsImage topics) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (GroupMember m : members.values()) {
            counts.putAll(topics.restrictedTo(m.subscribedTopics(topics)));
        }
        return counts;
    }
}
