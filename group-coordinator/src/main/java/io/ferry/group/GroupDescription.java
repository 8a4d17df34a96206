package io.ferry.group;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * A group as ConsumerGroupDescribe shows it.
 *
 * @param assignorName the server-side assignor the group's target is computed with
 */
public record GroupDescription(
        String groupId,
        GroupState state,
        int groupEpoch,
        int targetAssignmentEpoch,
        String assignorName,
        List<Member> members) {

    public GroupDescription {
        members = List.copyOf(members);
    }

    /**
     * One member.
     *
     * @param assignment the partitions it is assigned now
     * @param targetAssignment the partitions it will have once reconciled
     */
    public record Member(
            String memberId,
            Optional<String> instanceId,
            String clientId,
            String clientHost,
            SortedSet<String> subscribedTopicNames,
            Optional<String> subscribedTopicRegex,
            int memberEpoch,
            Assignment assignment,
            Assignment targetAssignment) {}

    static GroupDescription of(ConsumerGroup group, String assignorName) {
        List<Member> members = group.members().values().stream()
                .map(m -> new Member(
                        m.memberId(),
                        m.instanceId(),
                        m.clientId(),
                        m.clientHost(),
                        m.subscribedTopicNames(),
                        m.subscribedTopicRegex(),
                        m.memberEpoch(),
                        m.assignedPartitions(),
                        group.targetOf(m.memberId())))
                .toList();
        return new GroupDescription(
                group.groupId(),
                GroupState.of(group),
                group.groupEpoch(),
                group.targetAssignmentEpoch(),
                assignorName,
                members);
    }
}
