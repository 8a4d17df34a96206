package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.ExpiredMember;
import io.ferry.group.GroupDescription;
import io.ferry.group.GroupError;
import io.ferry.group.HeartbeatRequest;
import io.ferry.group.HeartbeatResponse;
import io.ferry.group.TopicsImage;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.security.AclOperation;
import io.ferry.security.ResourceType;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topics as one group's logic sees them ({@link TopicsImage}): the cluster's, with each pattern the group's
 * members subscribe with resolved ({@link ClusterTopics}) to the matches the members subscribing with it may
 * DESCRIBE, as Kafka 4 filters a group's resolved regular expressions with the authorizer (KIP-848). Leaving a
 * topic out is not a refusal: it is neither counted nor logged, as Kafka does not log these denials.
 *
 * <p>Whose principal: as in Kafka, a pattern resolves once for the group, the same for every member using it;
 * Kafka resolves with the context of the heartbeat that triggered the resolution, which with members of
 * different principals makes the answer depend on who heartbeated last. Here a match stays only if the
 * principal (and host) of every member subscribing with the pattern may DESCRIBE it, so no member is given a
 * topic it may not see, and the answer is the same whichever member heartbeats. A member's caller is that of its
 * latest accepted heartbeat ({@link MemberCallers}). Just after the coordinator moved, members are unknown until
 * they heartbeat again (within a heartbeat interval) and do not count meanwhile; a pattern none of whose members
 * is known resolves for the member heartbeating now, Kafka's rule, and to nothing for an expiry pass, which has
 * no caller.
 *
 * <p>Patterns are resolved again for every heartbeat against the ACLs of the current metadata view, so a grant
 * or a revocation counts from the next heartbeat on, as a created or deleted topic does. With the authorizer off,
 * a pattern resolves to all its matches.
 *
 * <p>Thread-safe: a group's calls come from its coordinator's thread.
 */
public final class GroupTopics {

    private final ClusterTopics cluster;
    private final BrokerAuthorizer authorizer;
    private final MemberCallers callers = new MemberCallers();

    public GroupTopics(ClusterTopics cluster, BrokerAuthorizer authorizer) {
        this.cluster = cluster;
        this.authorizer = authorizer;
    }

    /**
     * The topics for a heartbeat of {@code memberId} from {@code caller}.
     *
     * @param sentPattern the pattern the heartbeat sends: null when it sends none (the member keeps its own),
     *     empty when it drops it
     */
    public TopicsImage forHeartbeat(
            CoordinatorShard shard, String groupId, String memberId, String sentPattern, Caller caller) {
        if (sentPattern == null && !shard.subscribesWithPattern(groupId)) {
            // Nothing to resolve, so no need to describe the group. No caller of its members is needed either:
            // one that takes up a pattern sends it, and its caller counts from that heartbeat on.
            callers.forgetGroup(groupId);
            return resolved(Map.of(), Optional.of(caller));
        }
        List<GroupDescription.Member> members = membersOf(shard, groupId);
        Set<String> memberIds = new HashSet<>(Set.of(memberId));
        members.forEach(m -> memberIds.add(m.memberId()));
        callers.keepOnly(groupId, memberIds);
        Optional<String> pattern = sentPattern != null
                ? Optional.of(sentPattern)
                : members.stream()
                        .filter(m -> m.memberId().equals(memberId))
                        .findFirst()
                        .flatMap(GroupDescription.Member::subscribedTopicRegex);
        // The member's own pattern counts with this caller, not with the one it had before.
        Map<String, Set<Caller>> subscribers = subscribers(
                groupId,
                members.stream().filter(m -> !m.memberId().equals(memberId)).toList());
        pattern.ifPresent(
                p -> subscribers.computeIfAbsent(p, k -> new HashSet<>()).add(caller));
        return resolved(subscribers, Optional.of(caller));
    }

    /**
     * After the group logic answered a heartbeat from {@code caller}: an accepted one makes it the member's; a
     * member that left for good is forgotten (a static member that left for now keeps its caller).
     */
    public void answered(String groupId, HeartbeatResponse response, Caller caller) {
        if (response.error() != GroupError.NONE) {
            return;
        }
        if (response.memberEpoch() >= 0) {
            callers.remember(groupId, response.memberId(), caller);
        } else if (response.memberEpoch() == HeartbeatRequest.LEAVE_EPOCH) {
            callers.forget(groupId, response.memberId());
        }
    }

    /** Forgets the members whose time ran out, which an expiry pass removed. */
    void removed(List<ExpiredMember> members) {
        members.forEach(m -> callers.forget(m.groupId(), m.memberId()));
    }

    /** The topics for an expiry pass over the group: its members' known callers decide, there is no other. */
    TopicsImage forExpiry(CoordinatorShard shard, String groupId) {
        List<GroupDescription.Member> members = membersOf(shard, groupId);
        Set<String> memberIds = new HashSet<>();
        members.forEach(m -> memberIds.add(m.memberId()));
        callers.keepOnly(groupId, memberIds);
        return resolved(subscribers(groupId, members), Optional.empty());
    }

    /**
     * Forgets the members of the groups no coordinator of this broker serves any more: those whose offsets
     * partition is not in {@code ledPartitions} (every group when the offsets topic has no partition).
     */
    void keepGroupsOf(Set<Integer> ledPartitions, int partitionCount) {
        callers.forget(groupId ->
                partitionCount == 0 || !ledPartitions.contains(OffsetsTopic.partitionFor(groupId, partitionCount)));
    }

    private static List<GroupDescription.Member> membersOf(CoordinatorShard shard, String groupId) {
        return shard.describe(groupId).map(GroupDescription::members).orElse(List.of());
    }

    /** Each pattern the members subscribe with, and the known callers of the members using it. */
    private Map<String, Set<Caller>> subscribers(String groupId, List<GroupDescription.Member> members) {
        Map<String, Set<Caller>> subscribers = new HashMap<>();
        for (GroupDescription.Member m : members) {
            m.subscribedTopicRegex().ifPresent(pattern -> {
                Set<Caller> known = subscribers.computeIfAbsent(pattern, k -> new HashSet<>());
                callers.of(groupId, m.memberId()).ifPresent(known::add);
            });
        }
        return subscribers;
    }

    private TopicsImage resolved(Map<String, Set<Caller>> subscribers, Optional<Caller> heartbeating) {
        TopicsImage matched = cluster.image(subscribers.keySet());
        if (!authorizer.enforces()) {
            return matched;
        }
        Map<String, Set<String>> describable = new HashMap<>();
        matched.regexMatches().forEach((pattern, topics) -> {
            Set<Caller> known = subscribers.get(pattern);
            Collection<Caller> deciding =
                    known.isEmpty() ? heartbeating.map(List::of).orElse(List.of()) : known;
            describable.put(pattern, describableByAll(topics, deciding));
        });
        return new TopicsImage(matched.partitionCounts(), describable);
    }

    private Set<String> describableByAll(Set<String> topics, Collection<Caller> deciding) {
        Set<String> kept = new TreeSet<>();
        if (deciding.isEmpty()) {
            return kept;
        }
        for (String topic : topics) {
            if (deciding.stream()
                    .allMatch(caller -> authorizer.allows(caller, AclOperation.DESCRIBE, ResourceType.TOPIC, topic))) {
                kept.add(topic);
            }
        }
        return kept;
    }
}
