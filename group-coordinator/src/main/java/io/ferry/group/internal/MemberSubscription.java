package io.ferry.group.internal;

import io.ferry.group.GroupMember;
import java.util.Collections;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a ConsumerGroupMemberMetadata record holds of a member: who it is and what it subscribes to. It
 * changes when the member joins or its subscription changes, not on every reconciliation step.
 *
 * @param classicSessionTimeoutMs a classic member's own session timeout ({@link GroupMember#classicSessionTimeoutMs})
 */
public record MemberSubscription(
        Optional<String> instanceId,
        String clientId,
        String clientHost,
        int rebalanceTimeoutMs,
        SortedSet<String> subscribedTopicNames,
        Optional<String> subscribedTopicRegex,
        OptionalInt classicSessionTimeoutMs) {

    public MemberSubscription {
        subscribedTopicNames = Collections.unmodifiableSortedSet(new TreeSet<>(subscribedTopicNames));
    }

    public static MemberSubscription of(GroupMember m) {
        return new MemberSubscription(
                m.instanceId(),
                m.clientId(),
                m.clientHost(),
                m.rebalanceTimeoutMs(),
                m.subscribedTopicNames(),
                m.subscribedTopicRegex(),
                m.classicSessionTimeoutMs());
    }
}
