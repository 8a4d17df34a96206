package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    static final Object CONNECTION = new Object();

    final CoordinatorShard shard = new CoordinatorShard(
            new GroupConfig(SESSION_MS, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
            new OffsetConfig(600_000, 16));
    final TopicsImage topics = TopicsImage.of(Map.of("t", 4));
    long now = 1_000;

    <T> T commit(Write<T> write) {
        write.records().forEach(shard::replay);
        return write.response();
    }

    HeartbeatResponse classicJoin(String member, String instance, TopicPartition... owned) {
        return commit(shard.classicJoin(
                new HeartbeatRequest("g", member, 0, instance, 30_000, "c", "h", List.of("t"), null, List.of(owned)),
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
        now += SESSION_MS - 1;
        assertEquals(GroupError.NONE, heartbeat("c1", 1).error());
        now += SESSION_MS - 1;
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
        assertTrue(classic.isDisjoint(modern.assignment().orElseThrow()));
        assertEquals(2, classic.size());
    }
}
