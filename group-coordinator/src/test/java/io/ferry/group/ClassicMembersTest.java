package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kafka's classic protocol members in a consumer group: a JoinGroup continues the member at its epoch with
 * what it reports owning, so an eager member (owning nothing when it rejoins) moves on at once and a cooperative
 * one first gives up what it must; SyncGroup gives the partitions of the member's generation; Heartbeat says
 * when to rejoin; a restarted static member replaces its predecessor; classic and KIP-848 members share the
 * group's partitions.
 */
class ClassicMembersTest {

    static final int SESSION_MS = 45_000;
    /** The session timeout every classic member's JoinGroup asks for here: its own, not the group's. */
    static final int CLASSIC_SESSION_MS = 10_000;

    static final Object CONNECTION = new Object();

    final CoordinatorShard shard = new CoordinatorShard(
            new GroupConfig(SESSION_MS, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
            new OffsetConfig(600_000, 16));
    final TopicsImage topics = TopicsImage.of(Map.of("t", 4));
    long now = 1_000;
    /** Every record the shard wrote, in order: what a new coordinator loads. */
    final List<GroupRecord> log = new ArrayList<>();

    <T> T commit(Write<T> write) {
        write.records().forEach(shard::replay);
        log.addAll(write.records());
        return write.response();
    }

    HeartbeatResponse classicJoin(String member, String instance, TopicPartition... owned) {
        return commit(shard.classicJoin(
                new HeartbeatRequest("g", member, 0, instance, 30_000, "c", "h", List.of("t"), null, List.of(owned)),
                CLASSIC_SESSION_MS,
                CONNECTION,
                topics,
                now));
    }

    ClassicMemberStatus sync(String member, int generation) {
        return shard.classicSync(new ClassicMember("g", member, null, generation), CONNECTION, now);
    }

    ClassicMemberStatus heartbeat(String member, int generation) {
        return shard.classicHeartbeat(new ClassicMember("g", member, null, generation), CONNECTION, topics, now);
    }

    GroupMember member(String id) {
        return shard.group("g").orElseThrow().member(id).orElseThrow();
    }

    static TopicPartition[] t(int... partitions) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p : partitions) {
            list.add(new TopicPartition("t", p));
        }
        return list.toArray(TopicPartition[]::new);
    }

    static Assignment a(int... partitions) {
        return Assignment.of(List.of(t(partitions)));
    }

    @Test
    void anEagerMemberRejoinsOwningNothingAndMovesToTheNewGenerationAtOnce() {
        HeartbeatResponse first = classicJoin("c1", null);
        assertEquals(1, first.memberEpoch());
        assertEquals(a(0, 1, 2, 3), sync("c1", 1).assigned());
        assertEquals(GroupError.NONE, heartbeat("c1", 1).error());

        HeartbeatResponse second = classicJoin("c2", null);
        assertEquals(2, second.memberEpoch());
        assertEquals(Optional.of(Assignment.EMPTY), second.assignment(), "c1 still owns every partition");
        ClassicMemberStatus told = heartbeat("c1", 1);
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, told.error(), told.errorMessage());

        // Eager: c1 revoked everything before rejoining, so it reports nothing and reaches generation 2.
        HeartbeatResponse rejoined = classicJoin("c1", null);
        assertEquals(2, rejoined.memberEpoch());
        Assignment kept = rejoined.assignment().orElseThrow();
        assertEquals(2, kept.size());
        assertEquals(kept, sync("c1", 2).assigned());
        assertEquals(GroupError.NONE, heartbeat("c1", 2).error());

        // c2 waits for the two released partitions; its heartbeat says to rejoin, and the join gets them.
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, heartbeat("c2", 2).error());
        HeartbeatResponse got = classicJoin("c2", null);
        assertEquals(a(0, 1, 2, 3).minus(kept), got.assignment().orElseThrow());
        assertEquals(GroupError.NONE, heartbeat("c2", 2).error());
    }

    @Test
    void aCooperativeMemberSyncsToLearnWhatToGiveUpThenRejoinsWithoutIt() {
        classicJoin("c1", null);
        classicJoin("c2", null);
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, heartbeat("c1", 1).error());

        // Cooperative: c1 still owns its four partitions when it rejoins; it stays in generation 1, told to keep two.
        HeartbeatResponse revoking = classicJoin("c1", null, t(0, 1, 2, 3));
        assertEquals(1, revoking.memberEpoch());
        assertEquals(MemberState.UNREVOKED_PARTITIONS, member("c1").state());
        ClassicMemberStatus synced = sync("c1", 1);
        assertEquals(GroupError.NONE, synced.error(), "a revoking member syncs to learn what it keeps");
        Assignment kept = synced.assigned();
        assertEquals(2, kept.size());
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, heartbeat("c1", 1).error());

        HeartbeatResponse revoked = classicJoin("c1", null, kept.partitions().toArray(TopicPartition[]::new));
        assertEquals(2, revoked.memberEpoch());
        assertEquals(MemberState.STABLE, member("c1").state());
        assertEquals(kept, revoked.assignment().orElseThrow());
    }

    @Test
    void syncAndHeartbeatCheckTheMemberAndItsGeneration() {
        classicJoin("c1", null);
        assertEquals(GroupError.ILLEGAL_GENERATION, sync("c1", 2).error());
        assertEquals(GroupError.ILLEGAL_GENERATION, heartbeat("c1", 0).error());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, sync("c9", 1).error());
        assertEquals(
                GroupError.FENCED_INSTANCE_ID,
                shard.classicHeartbeat(new ClassicMember("g", "c1", "i1", 1), CONNECTION, topics, now)
                        .error());
    }

    @Test
    void heartbeatsKeepAClassicMembersSessionAndWithoutThemItEnds() {
        classicJoin("c1", null);
        now += CLASSIC_SESSION_MS - 1;
        assertEquals(GroupError.NONE, heartbeat("c1", 1).error());
        now += CLASSIC_SESSION_MS - 1;
        assertEquals(List.of(), commit(shard.expire(group -> topics, now)));
        now += 1;
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, heartbeat("c1", 1).error(), "its session ended");
        assertEquals(
                List.of(new ExpiredMember("g", "c1", ExpiryResult.Reason.SESSION_TIMEOUT)),
                commit(shard.expire(group -> topics, now)));
    }

    @Test
    void aRestartedStaticMemberReplacesItsPredecessorAndKeepsItsPartitions() {
        classicJoin("old", "i1");
        classicJoin("other", null);
        classicJoin("old", "i1"); // eager rejoin: old reaches generation 2 with half the partitions
        Assignment held = member("old").assignedPartitions();
        assertEquals(2, held.size());

        HeartbeatResponse replacement = classicJoin("new", "i1");
        assertEquals(GroupError.NONE, replacement.error(), replacement.errorMessage());
        assertEquals(held, replacement.assignment().orElseThrow());
        assertTrue(shard.group("g").orElseThrow().member("old").isEmpty());
        assertEquals(
                GroupError.UNKNOWN_MEMBER_ID,
                shard.classicHeartbeat(new ClassicMember("g", "old", "i1", 2), CONNECTION, topics, now)
                        .error());
    }

    @Test
    void classicAndKip848MembersSplitTheGroupsPartitions() {
        classicJoin("classic", null);
        HeartbeatResponse joined = commit(shard.heartbeat(
                new HeartbeatRequest("g", "modern", 0, null, 30_000, "c", "h", List.of("t"), null, List.of()),
                CONNECTION,
                topics,
                now));
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, heartbeat("classic", 1).error());
        Assignment classic = classicJoin("classic", null).assignment().orElseThrow();
        HeartbeatResponse modern = commit(shard.heartbeat(
                new HeartbeatRequest("g", "modern", joined.memberEpoch(), null, -1, "c", "h", null, null, List.of()),
                CONNECTION,
                topics,
                now));
        assertEquals(a(0, 1, 2, 3), classic.union(modern.assignment().orElseThrow()));
        ClassicMemberStatus notClassic = heartbeat("modern", modern.memberEpoch());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, notClassic.error(), "a KIP-848 member's classic heartbeat");
        assertTrue(notClassic.errorMessage().contains("does not use the classic protocol"));
        assertTrue(classic.isDisjoint(modern.assignment().orElseThrow()));
        assertEquals(2, classic.size());
    }

    @Test
    void aClassicMembersSessionIsItsOwnAlsoAfterANewCoordinatorLoadsTheGroup() {
        classicJoin("c1", null);
        assertEquals(OptionalInt.of(CLASSIC_SESSION_MS), member("c1").classicSessionTimeoutMs());

        CoordinatorShard loaded = new CoordinatorShard(
                new GroupConfig(SESSION_MS, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
                new OffsetConfig(600_000, 16));
        log.forEach(loaded::replay);
        loaded.loaded(now);
        assertTrue(loaded.group("g").orElseThrow().member("c1").orElseThrow().isClassic());
        now += CLASSIC_SESSION_MS;
        assertEquals(
                List.of(new ExpiredMember("g", "c1", ExpiryResult.Reason.SESSION_TIMEOUT)),
                commit(loaded.expire(group -> topics, now)),
                "the classic member's 10 s, not the group's 45 s");
    }

    @Test
    void aClassicMemberThatHeartbeatsAsKip848TakesTheGroupsSession() {
        classicJoin("c1", null);
        HeartbeatResponse modern = commit(shard.heartbeat(
                new HeartbeatRequest("g", "c1", 1, null, -1, "c", "h", null, null, null), CONNECTION, topics, now));
        assertEquals(GroupError.NONE, modern.error(), modern.errorMessage());
        assertFalse(member("c1").isClassic());
        now += CLASSIC_SESSION_MS;
        assertEquals(List.of(), commit(shard.expire(group -> topics, now)));
    }

    @Test
    void aJoinWithoutAPositiveSessionTimeoutIsRefused() {
        HeartbeatResponse refused = commit(shard.classicJoin(
                new HeartbeatRequest("g", "c1", 0, null, 30_000, "c", "h", List.of("t"), null, List.of()),
                0,
                CONNECTION,
                topics,
                now));
        assertEquals(GroupError.INVALID_REQUEST, refused.error());
        assertTrue(shard.group("g").isEmpty());
    }

    @Test
    void aClassicMembersCommitAtAnotherGenerationIsIllegalGenerationAKip848MembersIsAStaleEpoch() {
        classicJoin("classic", null);
        commit(shard.heartbeat(
                new HeartbeatRequest("g", "modern", 0, null, 30_000, "c", "h", List.of("t"), null, List.of()),
                CONNECTION,
                topics,
                now));
        TopicPartition p0 = new TopicPartition("t", 0);
        OffsetAndMetadata offset = new OffsetAndMetadata(5, -1, "", 0);
        assertEquals(
                Map.of(p0, GroupError.ILLEGAL_GENERATION),
                shard.commitOffsets(new OffsetCommitRequest("g", "classic", 7, Map.of(p0, offset)), now)
                        .response());
        assertEquals(
                Map.of(p0, GroupError.STALE_MEMBER_EPOCH),
                shard.commitOffsets(new OffsetCommitRequest("g", "modern", 7, Map.of(p0, offset)), now)
                        .response());
    }

    HeartbeatResponse leave(String member, String instance) {
        return commit(shard.classicLeave(
                new HeartbeatRequest("g", member, 0, instance, 0, "admin", "h", null, null, null),
                CONNECTION,
                topics,
                now));
    }

    @Test
    void leaveGroupRemovesAClassicMemberByItsIdOrAStaticOneByItsInstanceIdAlone() {
        classicJoin("static", "i1");
        classicJoin("dynamic", null);
        commit(shard.heartbeat(
                new HeartbeatRequest("g", "modern", 0, null, 30_000, "c", "h", List.of("t"), null, List.of()),
                CONNECTION,
                topics,
                now));

        assertEquals(GroupError.FENCED_INSTANCE_ID, leave("dynamic", "i1").error());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, leave("", "i9").error());
        HeartbeatResponse notClassic = leave("modern", null);
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, notClassic.error());
        assertTrue(notClassic.errorMessage().contains("does not use the classic protocol"), notClassic.errorMessage());
        assertEquals(3, shard.group("g").orElseThrow().members().size(), "nothing refused left");

        HeartbeatResponse byInstance = leave("", "i1");
        assertEquals(GroupError.NONE, byInstance.error(), byInstance.errorMessage());
        assertEquals("static", byInstance.memberId());
        assertEquals(GroupError.NONE, leave("dynamic", null).error());
        assertEquals(Set.of("modern"), shard.group("g").orElseThrow().members().keySet());
    }
}
