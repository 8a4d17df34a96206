package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.ConsumerGroup;
import io.ferry.group.GroupConfig;
import io.ferry.group.GroupError;
import io.ferry.group.GroupMember;
import io.ferry.group.HeartbeatRequest;
import io.ferry.group.HeartbeatResponse;
import io.ferry.group.HeartbeatResult;
import io.ferry.group.MemberState;
import io.ferry.group.TopicsImage;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A ConsumerGroupHeartbeat as a function of the group, the request, the topics and the time: the member
 * is found (or joins), its subscription updated (a change bumps the group epoch), the target assignment
 * recomputed if the group epoch passed it, and the member moved one {@link Reconciliation} step.
 */
public final class HeartbeatHandler {

    /** The longest heartbeat interval of a member waiting for partitions to be released. */
    static final int RELEASE_WAIT_INTERVAL_MS = 500;

    private final GroupConfig config;

    public HeartbeatHandler(GroupConfig config) {
        this.config = config;
    }

    public HeartbeatResult handle(ConsumerGroup group, HeartbeatRequest request, TopicsImage topics, long nowMs) {
        Optional<String> problem = HeartbeatChecks.problem(request);
        if (problem.isPresent()) {
            return refused(group, request, GroupError.INVALID_REQUEST, problem.get());
        }
        if (!request.groupId().equals(group.groupId())) {
            throw new IllegalArgumentException(
                    "request for group " + request.groupId() + " given group " + group.groupId());
        }
        return switch (request.memberEpoch()) {
            case HeartbeatRequest.LEAVE_EPOCH, HeartbeatRequest.LEAVE_STATIC_EPOCH ->
                leave(group, request, topics, nowMs);
            case HeartbeatRequest.JOIN_EPOCH -> join(group, request, topics, nowMs);
            default -> heartbeat(group, request, topics, nowMs);
        };
    }

    private HeartbeatResult join(ConsumerGroup group, HeartbeatRequest request, TopicsImage topics, long nowMs) {
        Optional<GroupMember> sameId = group.member(request.memberId());
        if (sameId.isPresent()) {
            Optional<HeartbeatResult> fenced = instanceFenced(group, sameId.get(), request);
            if (fenced.isPresent()) {
                return fenced.get();
            }
        }
        Optional<GroupMember> holder =
                request.instanceId() == null ? Optional.empty() : group.staticMember(request.instanceId());
        if (holder.isPresent()) {
            GroupMember previous = holder.get();
            if (previous.memberEpoch() != GroupMember.LEFT_STATIC_EPOCH) {
                return refused(
                        group,
                        request,
                        GroupError.UNRELEASED_INSTANCE_ID,
                        "instanceId " + request.instanceId() + " is held by member " + previous.memberId()
                                + ", which has not left the group");
            }
            // A static member's new incarnation takes over its predecessor's partitions and target, without
            // a rebalance: that is what static membership is for.
            GroupMember replacement = previous.replacedBy(request.memberId());
            return update(
                    group,
                    group.withReplacedMember(previous.memberId(), replacement),
                    replacement,
                    request,
                    topics,
                    nowMs);
        }
        if (sameId.isEmpty() && group.members().size() >= config.maxSize()) {
            return refused(
                    group,
                    request,
                    GroupError.GROUP_MAX_SIZE_REACHED,
                    "group " + group.groupId() + " has reached its maximum of " + config.maxSize() + " members");
        }
        // A member that rejoins owns nothing (a join lists no partitions): the partitions of its previous
        // incarnation are free again.
        return update(group, group, fresh(request), request, topics, nowMs);
    }

    private static GroupMember fresh(HeartbeatRequest r) {
        return GroupMember.joining(
                r.memberId(),
                Optional.ofNullable(r.instanceId()),
                r.clientId(),
                r.clientHost(),
                r.rebalanceTimeoutMs(),
                new TreeSet<>(r.subscribedTopicNames() == null ? Set.of() : r.subscribedTopicNames()),
                regex(r.subscribedTopicRegex()));
    }

    private HeartbeatResult heartbeat(ConsumerGroup group, HeartbeatRequest request, TopicsImage topics, long nowMs) {
        Optional<GroupMember> found = group.member(request.memberId());
        if (found.isEmpty()) {
            return unknownMember(group, request);
        }
        GroupMember member = found.get();
        Optional<HeartbeatResult> fenced = instanceFenced(group, member, request);
        if (fenced.isPresent()) {
            return fenced.get();
        }
        if (!epochAccepted(member, request)) {
            return refused(
                    group,
                    request,
                    GroupError.FENCED_MEMBER_EPOCH,
                    "member " + member.memberId() + " sent epoch " + request.memberEpoch() + " but is at epoch "
                            + member.memberEpoch() + ": it must give up its partitions and rejoin");
        }
        return update(group, group, member, request, topics, nowMs);
    }

    /**
     * The current epoch, or the previous one when the member owns no more than it is assigned now: the
     * answer that moved it to the current epoch may have been lost.
     */
    private static boolean epochAccepted(GroupMember member, HeartbeatRequest request) {
        if (request.memberEpoch() == member.memberEpoch()) {
            return true;
        }
        return request.memberEpoch() == member.previousMemberEpoch()
                && request.memberEpoch() < member.memberEpoch()
                && request.ownedTopicPartitions() != null
                && Assignment.of(request.ownedTopicPartitions()).isSubsetOf(member.assignedPartitions());
    }

    private static Optional<HeartbeatResult> instanceFenced(
            ConsumerGroup group, GroupMember member, HeartbeatRequest request) {
        if (member.instanceId().equals(Optional.ofNullable(request.instanceId()))) {
            return Optional.empty();
        }
        return Optional.of(refused(
                group,
                request,
                GroupError.FENCED_INSTANCE_ID,
                "member " + member.memberId() + " has instanceId "
                        + member.instanceId().orElse("(none)") + ", not "
                        + Optional.ofNullable(request.instanceId()).orElse("(none)")));
    }

    private HeartbeatResult unknownMember(ConsumerGroup group, HeartbeatRequest request) {
        return refused(
                group,
                request,
                GroupError.UNKNOWN_MEMBER_ID,
                "member " + request.memberId() + " is not in group " + group.groupId());
    }

    private HeartbeatResult leave(ConsumerGroup group, HeartbeatRequest request, TopicsImage topics, long nowMs) {
        Optional<GroupMember> found = group.member(request.memberId());
        if (found.isEmpty()) {
            return unknownMember(group, request);
        }
        Optional<HeartbeatResult> fenced = instanceFenced(group, found.get(), request);
        if (fenced.isPresent()) {
            return fenced.get();
        }
        ConsumerGroup after = request.memberEpoch() == HeartbeatRequest.LEAVE_STATIC_EPOCH
                ? group.withMember(found.get().leftTemporarily(sessionDeadline(nowMs)))
                : group.withoutMember(request.memberId(), topics);
        return new HeartbeatResult(
                after,
                new HeartbeatResponse(
                        request.memberId(),
                        request.memberEpoch(),
                        config.heartbeatIntervalMs(),
                        Optional.empty(),
                        GroupError.NONE,
                        ""));
    }

    /**
     * The accepted heartbeat of {@code member} (already in {@code group}, or joining it): its subscription
     * updated, the target recomputed if needed, one reconciliation step.
     */
    private HeartbeatResult update(
            ConsumerGroup before,
            ConsumerGroup group,
            GroupMember member,
            HeartbeatRequest request,
            TopicsImage topics,
            long nowMs) {
        GroupMember updated = withSubscription(member, request);
        Optional<GroupMember> stored = group.member(member.memberId());
        boolean subscriptionChanged = stored.isEmpty()
                || !updated.subscribedTopics(topics).equals(stored.get().subscribedTopics(topics));
        ConsumerGroup next = group.withMember(updated);
        if (subscriptionChanged
                || !ConsumerGroup.subscribedPartitions(next.members(), topics).equals(group.subscribedTopicPartitions())
                || next.targetOutsideSubscriptions(topics)) {
            next = next.bumped(topics);
        }
        if (next.groupEpoch() > next.targetAssignmentEpoch()) {
            next = next.withTargetAssignment(next.groupEpoch(), newTarget(next, topics));
        }
        GroupMember reconciled = Reconciliation.step(
                        updated,
                        next.targetAssignmentEpoch(),
                        next.targetOf(updated.memberId()),
                        next.partitionOwners(),
                        request.ownedTopicPartitions() == null ? null : Assignment.of(request.ownedTopicPartitions()),
                        nowMs)
                .withSessionDeadline(sessionDeadline(nowMs));
        next = next.withMember(reconciled);
        boolean sendAssignment = request.isFull()
                || !reconciled
                        .assignedPartitions()
                        .equals(before.member(member.memberId())
                                .map(GroupMember::assignedPartitions)
                                .orElse(Assignment.EMPTY));
        return new HeartbeatResult(
                next,
                new HeartbeatResponse(
                        reconciled.memberId(),
                        reconciled.memberEpoch(),
                        intervalFor(reconciled),
                        sendAssignment ? Optional.of(reconciled.assignedPartitions()) : Optional.empty(),
                        GroupError.NONE,
                        ""));
    }

    /**
     * The heartbeat interval to tell {@code member}: the configured one, or at most
     * {@link #RELEASE_WAIT_INTERVAL_MS} while it waits for partitions other members are revoking. Those
     * members heartbeat as soon as they revoked (the client acknowledges at once), so a waiting member that
     * asks again soon gets the partitions within that interval rather than a whole heartbeat interval later,
     * as it would in Kafka. The wait is bounded by the owners' rebalance timeout.
     */
    private int intervalFor(GroupMember member) {
        return member.state() == MemberState.UNRELEASED_PARTITIONS
                ? Math.min(config.heartbeatIntervalMs(), RELEASE_WAIT_INTERVAL_MS)
                : config.heartbeatIntervalMs();
    }

    private static GroupMember withSubscription(GroupMember member, HeartbeatRequest r) {
        return member.withSubscription(
                r.clientId(),
                r.clientHost(),
                r.rebalanceTimeoutMs() == -1 ? member.rebalanceTimeoutMs() : r.rebalanceTimeoutMs(),
                r.subscribedTopicNames() == null
                        ? member.subscribedTopicNames()
                        : new TreeSet<>(r.subscribedTopicNames()),
                r.subscribedTopicRegex() == null ? member.subscribedTopicRegex() : regex(r.subscribedTopicRegex()));
    }

    private static Optional<String> regex(String sent) {
        return sent == null || sent.isEmpty() ? Optional.empty() : Optional.of(sent);
    }

    private TreeMap<String, Assignment> newTarget(ConsumerGroup group, TopicsImage topics) {
        Map<String, Set<String>> subscriptions = new TreeMap<>();
        group.members().forEach((id, m) -> subscriptions.put(id, m.subscribedTopics(topics)));
        return new TreeMap<>(
                config.assignor().assign(subscriptions, group.targetAssignment(), group.subscribedTopicPartitions()));
    }

    private long sessionDeadline(long nowMs) {
        return Reconciliation.saturatedSum(nowMs, config.sessionTimeoutMs());
    }

    private static HeartbeatResult refused(
            ConsumerGroup group, HeartbeatRequest request, GroupError error, String message) {
        return new HeartbeatResult(group, HeartbeatResponse.failure(request, error, message));
    }
}
