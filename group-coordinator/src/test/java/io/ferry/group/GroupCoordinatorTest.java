package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Heartbeats, leaves and timeouts of a few members, step by step, as KIP-848 describes them. */
class GroupCoordinatorTest {

    static final int SESSION_MS = 45_000;
    static final int REBALANCE_MS = 30_000;

    final GroupCoordinator coordinator = new GroupCoordinator(
            new GroupConfig(SESSION_MS, 5_000, 3, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE));
    TopicsImage topics = TopicsImage.of(Map.of("t", 4));
    ConsumerGroup group = ConsumerGroup.empty("g");
    long now = 1_000;

    static Assignment partitions(int... ids) {
        return Assignment.of(Map.of("t", java.util.Arrays.stream(ids).boxed().toList()));
    }

    HeartbeatResponse send(HeartbeatRequest request) {
        HeartbeatResult result = coordinator.heartbeat(group, request, topics, now);
        group = result.group();
        return result.response();
    }

    HeartbeatResponse join(String member) {
        return send(new HeartbeatRequest("g", member, 0, null, REBALANCE_MS, "c", "h", List.of("t"), null, List.of()));
    }

    HeartbeatResponse joinStatic(String member, String instance) {
        return send(
                new HeartbeatRequest("g", member, 0, instance, REBALANCE_MS, "c", "h", List.of("t"), null, List.of()));
    }

    /** A heartbeat with the member's group.instance.id, if it has one. */
    HeartbeatResponse heartbeat(String member, int epoch, Assignment owned) {
        String instance = group.member(member).flatMap(GroupMember::instanceId).orElse(null);
        return send(new HeartbeatRequest(
                "g", member, epoch, instance, -1, "c", "h", null, null, List.copyOf(owned.partitions())));
    }

    HeartbeatResponse leave(String member, int epoch, String instance) {
        return send(new HeartbeatRequest("g", member, epoch, instance, -1, "c", "h", null, null, null));
    }

    GroupMember member(String id) {
        return group.member(id).orElseThrow();
    }

    @Test
    void theFirstMemberGetsEveryPartitionAtEpochOne() {
        HeartbeatResponse r = join("m1");

        assertEquals(GroupError.NONE, r.error());
        assertEquals(1, r.memberEpoch());
        assertEquals(Optional.of(partitions(0, 1, 2, 3)), r.assignment());
        assertEquals(5_000, r.heartbeatIntervalMs());
        assertEquals(MemberState.STABLE, member("m1").state());
        assertEquals(1, group.groupEpoch());
    }

    @Test
    void partitionsMoveOnlyAfterTheirOwnerRevokesThem() {
        join("m1");
        HeartbeatResponse joined = join("m2");
        assertEquals(2, group.groupEpoch());
        assertEquals(2, joined.memberEpoch(), "the new member is at the target epoch");
        assertEquals(Optional.of(Assignment.EMPTY), joined.assignment(), "but m1 still owns its target");
        assertEquals(MemberState.UNRELEASED_PARTITIONS, member("m2").state());
        assertEquals(500, joined.heartbeatIntervalMs(), "m2 asks again soon for what m1 releases");

        HeartbeatResponse asked = heartbeat("m1", 1, partitions(0, 1, 2, 3));
        assertEquals(1, asked.memberEpoch(), "m1 stays in its epoch until it revokes");
        assertEquals(Optional.of(partitions(0, 1)), asked.assignment());
        assertEquals(MemberState.UNREVOKED_PARTITIONS, member("m1").state());
        assertEquals(partitions(2, 3), member("m1").partitionsPendingRevocation());
        assertEquals(5_000, asked.heartbeatIntervalMs(), "m1 heartbeats once it revoked, not by the interval");

        HeartbeatResponse stillWaiting = heartbeat("m2", 2, Assignment.EMPTY);
        assertEquals(Optional.empty(), stillWaiting.assignment(), "2 and 3 are not released yet");

        HeartbeatResponse notYet = heartbeat("m1", 1, partitions(0, 1, 2, 3));
        assertEquals(MemberState.UNREVOKED_PARTITIONS, member("m1").state());
        assertEquals(1, notYet.memberEpoch());

        HeartbeatResponse revoked = heartbeat("m1", 1, partitions(0, 1));
        assertEquals(2, revoked.memberEpoch());
        assertEquals(MemberState.STABLE, member("m1").state());

        HeartbeatResponse released = heartbeat("m2", 2, Assignment.EMPTY);
        assertEquals(Optional.of(partitions(2, 3)), released.assignment());
        assertEquals(MemberState.STABLE, member("m2").state());
        assertEquals(5_000, released.heartbeatIntervalMs(), "stable again: the configured interval");
    }

    @Test
    void aMemberWhosePartitionsDoNotMoveStaysStable() {
        topics = TopicsImage.of(Map.of("t", 2, "u", 2));
        send(new HeartbeatRequest("g", "m1", 0, null, REBALANCE_MS, "c", "h", List.of("t"), null, List.of()));
        send(new HeartbeatRequest("g", "m2", 0, null, REBALANCE_MS, "c", "h", List.of("u"), null, List.of()));

        HeartbeatResponse r = heartbeat("m1", 1, partitions(0, 1));

        assertEquals(MemberState.STABLE, member("m1").state());
        assertEquals(2, r.memberEpoch(), "a new epoch, without a revocation");
        assertEquals(Optional.empty(), r.assignment(), "its partitions did not change");
        assertEquals(1, member("m1").assignmentEpochs().get(new TopicPartition("t", 0)));
    }

    @Test
    void aStaleOrFutureEpochIsFencedAndAnUnknownMemberIsUnknown() {
        join("m1");
        join("m2");
        heartbeat("m1", 1, partitions(0, 1, 2, 3));
        heartbeat("m1", 1, partitions(0, 1));
        ConsumerGroup before = group;

        assertEquals(
                GroupError.FENCED_MEMBER_EPOCH,
                heartbeat("m1", 3, partitions(0, 1)).error());
        assertEquals(
                GroupError.FENCED_MEMBER_EPOCH,
                heartbeat("m1", 1, partitions(0, 1, 2)).error());
        assertEquals(
                GroupError.UNKNOWN_MEMBER_ID,
                heartbeat("m9", 1, Assignment.EMPTY).error());
        assertSame(before, group, "a refused heartbeat changes nothing");
    }

    @Test
    void thePreviousEpochIsAcceptedWhenTheMemberOwnsNoMoreThanItIsAssigned() {
        join("m1");
        join("m2");
        heartbeat("m1", 1, partitions(0, 1, 2, 3));
        heartbeat("m1", 1, partitions(0, 1)); // the answer with epoch 2 is lost

        HeartbeatResponse r = heartbeat("m1", 1, partitions(0, 1));

        assertEquals(GroupError.NONE, r.error());
        assertEquals(2, r.memberEpoch());
    }

    @Test
    void aLeavingMemberFreesItsPartitionsAtANewEpoch() {
        join("m1");
        join("m2");
        heartbeat("m1", 1, partitions(0, 1, 2, 3));
        heartbeat("m1", 1, partitions(0, 1));
        heartbeat("m2", 2, Assignment.EMPTY);

        HeartbeatResponse left = leave("m1", -1, null);
        assertEquals(-1, left.memberEpoch());
        assertEquals(3, group.groupEpoch());
        assertTrue(group.member("m1").isEmpty());

        HeartbeatResponse r = heartbeat("m2", 2, partitions(2, 3));
        assertEquals(Optional.of(partitions(0, 1, 2, 3)), r.assignment());
        assertEquals(3, r.memberEpoch());
    }

    @Test
    void aStaticMemberComesBackToItsPartitionsWithoutARebalance() {
        joinStatic("m1", "i1");
        join("m2");
        heartbeat("m1", 1, partitions(0, 1, 2, 3));
        heartbeat("m1", 1, partitions(0, 1));
        int epoch = group.groupEpoch();

        assertEquals(-2, leave("m1", -2, "i1").memberEpoch());
        assertEquals(epoch, group.groupEpoch(), "leaving for now is no change of membership");
        assertEquals(partitions(0, 1), member("m1").assignedPartitions(), "kept for the next incarnation");

        HeartbeatResponse back = joinStatic("m1b", "i1");
        assertEquals(GroupError.NONE, back.error());
        assertEquals(Optional.of(partitions(0, 1)), back.assignment());
        assertEquals(epoch, back.memberEpoch());
        assertEquals(epoch, group.groupEpoch());
        assertTrue(group.member("m1").isEmpty());
    }

    @Test
    void aStaticInstanceIdStillHeldCannotJoinAgain() {
        joinStatic("m1", "i1");

        HeartbeatResponse r = joinStatic("m2", "i1");

        assertEquals(GroupError.UNRELEASED_INSTANCE_ID, r.error());
        assertTrue(r.errorMessage().contains("m1"), r.errorMessage());
    }

    @Test
    void aMemberIdUsedWithAnotherInstanceIdIsFenced() {
        joinStatic("m1", "i1");

        HeartbeatResponse r = send(new HeartbeatRequest("g", "m1", 1, "i2", -1, "c", "h", null, null, null));

        assertEquals(GroupError.FENCED_INSTANCE_ID, r.error());
    }

    @Test
    void theGroupRefusesMembersBeyondItsMaximumSize() {
        join("m1");
        join("m2");
        join("m3");

        assertEquals(GroupError.GROUP_MAX_SIZE_REACHED, join("m4").error());
        assertEquals(GroupError.NONE, join("m3").error(), "a member rejoining is no new member");
    }

    @Test
    void aSilentMemberIsRemovedWhenItsSessionEnds() {
        join("m1");
        join("m2");
        now += SESSION_MS - 1;
        heartbeat("m2", 2, Assignment.EMPTY);

        ExpiryResult early = coordinator.expire(group, topics, now);
        assertEquals(
                List.of(new ExpiryResult.Removal("m1", ExpiryResult.Reason.SESSION_TIMEOUT)),
                coordinator.expire(group, topics, now + 1).removed());
        assertEquals(List.of(), early.removed());

        group = coordinator.expire(group, topics, now + 1).group();
        assertEquals(
                Optional.of(partitions(0, 1, 2, 3)),
                heartbeat("m2", 2, Assignment.EMPTY).assignment());
    }

    @Test
    void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsRemoved() {
        join("m1");
        join("m2");
        heartbeat("m1", 1, partitions(0, 1, 2, 3)); // asked to revoke 2 and 3 at `now`
        now += REBALANCE_MS - 1;
        heartbeat("m1", 1, partitions(0, 1, 2, 3)); // still owns them: the clock keeps running
        heartbeat("m2", 2, Assignment.EMPTY);

        assertEquals(List.of(), coordinator.expire(group, topics, now).removed());
        ExpiryResult late = coordinator.expire(group, topics, now + 1);
        assertEquals(List.of(new ExpiryResult.Removal("m1", ExpiryResult.Reason.REBALANCE_TIMEOUT)), late.removed());
    }

    @Test
    void aGrowingTopicBumpsTheEpochAndItsNewPartitionsAreAssigned() {
        join("m1");
        topics = TopicsImage.of(Map.of("t", 6));

        HeartbeatResponse r = heartbeat("m1", 1, partitions(0, 1, 2, 3));

        assertEquals(2, group.groupEpoch());
        assertEquals(Optional.of(partitions(0, 1, 2, 3, 4, 5)), r.assignment());
    }

    @Test
    void aRegularExpressionSubscribesToTheTopicsTheCallerResolvedItTo() {
        topics = new TopicsImage(
                new java.util.TreeMap<>(Map.of("logs-a", 1, "logs-b", 1, "t", 4)),
                Map.of("logs-.*", java.util.Set.of("logs-a", "logs-b")));

        HeartbeatResponse r =
                send(new HeartbeatRequest("g", "m1", 0, null, REBALANCE_MS, "c", "h", null, "logs-.*", null));

        assertEquals(Optional.of(Assignment.of(Map.of("logs-a", List.of(0), "logs-b", List.of(0)))), r.assignment());
    }

    @Test
    void aSubscriptionChangeBumpsTheEpoch() {
        topics = TopicsImage.of(Map.of("t", 2, "u", 2));
        join("m1");

        HeartbeatResponse r = send(new HeartbeatRequest("g", "m1", 1, null, -1, "c", "h", List.of("u"), null, null));

        assertEquals(2, group.groupEpoch());
        assertEquals(1, r.memberEpoch(), "t must be revoked first");
        assertEquals(Optional.of(Assignment.EMPTY), r.assignment());
        HeartbeatResponse after = heartbeat("m1", 1, Assignment.EMPTY);
        assertEquals(Optional.of(Assignment.of(Map.of("u", List.of(0, 1)))), after.assignment());
    }

    @Test
    void aTopicOneMembersPatternNoLongerResolvesToIsTakenFromItThoughAnotherMemberStillSubscribes() {
        // m1 subscribes by pattern, m2 by name to the topic the pattern will lose (its principal loses DESCRIBE).
        TopicsImage both = new TopicsImage(
                new java.util.TreeMap<>(Map.of("orders-a", 1, "orders-b", 4)),
                Map.of("orders-.*", java.util.Set.of("orders-a", "orders-b")));
        topics = both;
        send(new HeartbeatRequest("g", "m1", 0, null, REBALANCE_MS, "c", "h", null, "orders-.*", List.of()));
        send(new HeartbeatRequest("g", "m2", 0, null, REBALANCE_MS, "c", "h", List.of("orders-b"), null, List.of()));
        assertTrue(
                group.targetOf("m1").byTopic().containsKey("orders-b"), "m1 shares orders-b: " + group.targetOf("m1"));
        int epoch = group.groupEpoch();

        topics = new TopicsImage(both.partitionCounts(), Map.of("orders-.*", java.util.Set.of("orders-a")));
        heartbeat("m1", member("m1").memberEpoch(), member("m1").ownedPartitions());

        assertEquals(epoch + 1, group.groupEpoch(), "the group's topics are the same, but m1's target is not");
        assertEquals(
                java.util.Set.of("orders-a"), group.targetOf("m1").byTopic().keySet());
        assertEquals(partitionsOf("orders-b", 0, 1, 2, 3), group.targetOf("m2"));
    }

    static Assignment partitionsOf(String topic, int... ids) {
        return Assignment.of(Map.of(topic, java.util.Arrays.stream(ids).boxed().toList()));
    }
}
