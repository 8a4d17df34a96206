package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which member and epoch may commit offsets for a partition (KIP-848, with KIP-1251's assignment epochs). */
class OffsetCommitFencingTest {

    final GroupCoordinator coordinator = new GroupCoordinator(GroupConfig.DEFAULTS);
    final TopicsImage topics = TopicsImage.of(Map.of("t", 4, "u", 1));
    ConsumerGroup group = ConsumerGroup.empty("g");

    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition T3 = new TopicPartition("t", 3);
    static final TopicPartition U0 = new TopicPartition("u", 0);

    void send(HeartbeatRequest request) {
        HeartbeatResult result = coordinator.heartbeat(group, request, topics, 0);
        assertEquals(
                GroupError.NONE, result.response().error(), result.response().errorMessage());
        group = result.group();
    }

    GroupError commit(String member, int epoch, TopicPartition tp) {
        return coordinator.checkOffsetCommit(group, member, epoch, tp);
    }

    @Test
    void anAdminCommitIsAcceptedOnlyWhileTheGroupIsEmpty() {
        assertEquals(GroupError.NONE, commit("", -1, T0));
        send(new HeartbeatRequest("g", "m1", 0, null, 1_000, "c", "h", List.of("t"), null, List.of()));
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, commit("", -1, T0));
    }

    @Test
    void theCurrentEpochCommitsAndAnUnknownMemberOrAFutureEpochDoesNot() {
        send(new HeartbeatRequest("g", "m1", 0, null, 1_000, "c", "h", List.of("t"), null, List.of()));

        assertEquals(GroupError.NONE, commit("m1", 1, T0));
        assertEquals(GroupError.STALE_MEMBER_EPOCH, commit("m1", 2, T0));
        assertEquals(GroupError.STALE_MEMBER_EPOCH, commit("m1", -1, T0));
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, commit("zombie", 1, T0));
    }

    @Test
    void anOlderEpochCommitsOnlyPartitionsTheMemberHasOwnedSinceThen() {
        // m1 owns t (epoch 1); m2 joins (epoch 2): m1 revokes t-2 and t-3; then m1 subscribes to u too.
        send(new HeartbeatRequest("g", "m1", 0, null, 1_000, "c", "h", List.of("t"), null, List.of()));
        send(new HeartbeatRequest("g", "m2", 0, null, 1_000, "c", "h", List.of("t"), null, List.of()));
        send(new HeartbeatRequest(
                "g",
                "m1",
                1,
                null,
                -1,
                "c",
                "h",
                null,
                null,
                List.of(T0, new TopicPartition("t", 1), new TopicPartition("t", 2), T3)));
        assertEquals(GroupError.NONE, commit("m1", 1, T3), "revoking: still its own, at its current epoch");
        send(new HeartbeatRequest(
                "g", "m1", 1, null, -1, "c", "h", List.of("t", "u"), null, List.of(T0, new TopicPartition("t", 1))));
        GroupMember m1 = group.member("m1").orElseThrow();
        assertEquals(3, m1.memberEpoch(), m1.toString());

        assertEquals(GroupError.NONE, commit("m1", 1, T0), "t-0 has been m1's since epoch 1");
        assertEquals(GroupError.STALE_MEMBER_EPOCH, commit("m1", 1, T3), "t-3 is no longer m1's");
        assertEquals(GroupError.STALE_MEMBER_EPOCH, commit("m1", 1, U0), "u-0 became m1's after epoch 1");
        assertEquals(GroupError.NONE, commit("m1", 3, U0));
    }
}
