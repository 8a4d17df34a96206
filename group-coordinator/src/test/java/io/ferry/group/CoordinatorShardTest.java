package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The shard's operations, one at a time: they change nothing until their records are replayed; heartbeats and
 * expiry as the coordinator decides them; offset commits fenced and checked; offsets kept as KIP-211 says;
 * deletions refused while something uses what they would delete.
 */
class CoordinatorShardTest {

    static final int SESSION_MS = 45_000;
    static final int REBALANCE_MS = 30_000;
    static final long RETENTION_MS = 600_000;

    /** The connection every heartbeat comes on: this class tests no connection's end. */
    static final Object CONNECTION = new Object();

    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition U0 = new TopicPartition("u", 0);

    CoordinatorShard shard = shard();
    final TopicsImage topics = TopicsImage.of(Map.of("t", 4, "u", 1));
    /** Every record written, in order: the partition's log. */
    final List<GroupRecord> log = new ArrayList<>();

    long now = 1_000;

    static CoordinatorShard shard() {
        return new CoordinatorShard(
                new GroupConfig(SESSION_MS, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
                new OffsetConfig(RETENTION_MS, 16));
    }

    /** What the runtime does with a write: append its records, replay them, answer. */
    <T> T commit(Write<T> write) {
        for (GroupRecord record : write.records()) {
            log.add(record);
            shard.replay(record);
        }
        return write.response();
    }

    HeartbeatResponse join(String member, String instance, String... subscribed) {
        return commit(shard.heartbeat(
                new HeartbeatRequest(
                        "g", member, 0, instance, REBALANCE_MS, "c", "h", List.of(subscribed), null, List.of()),
                CONNECTION,
                topics,
                now));
    }

    Write<HeartbeatResponse> heartbeat(String member, int epoch, TopicPartition... owned) {
        return shard.heartbeat(
                new HeartbeatRequest("g", member, epoch, null, -1, "c", "h", null, null, List.of(owned)),
                CONNECTION,
                topics,
                now);
    }

    HeartbeatResponse leave(String member, int epoch, String instance) {
        return commit(shard.heartbeat(
                new HeartbeatRequest("g", member, epoch, instance, -1, "c", "h", null, null, null),
                CONNECTION,
                topics,
                now));
    }

    Map<TopicPartition, GroupError> commitOffset(
            String member, int epoch, TopicPartition tp, long offset, String metadata) {
        return commit(shard.commitOffsets(
                new OffsetCommitRequest("g", member, epoch, Map.of(tp, new OffsetAndMetadata(offset, -1, metadata, 0))),
                now));
    }

    List<ExpiredMember> expire() {
        return commit(shard.expire(group -> topics, now));
    }

    ConsumerGroup group() {
        return shard.group("g").orElseThrow();
    }

    static TopicPartition[] t(int... partitions) {
        return Arrays.stream(partitions)
                .mapToObj(p -> new TopicPartition("t", p))
                .toArray(TopicPartition[]::new);
    }

    @Test
    void aHeartbeatAfterAnotherMembersSessionEndedGetsItsPartitionsWithoutWaitingForTheExpiryPass() {
        join("m1", null, "t");
        join("m2", null, "t");
        commit(heartbeat("m1", 1, t(0, 1, 2, 3)));
        commit(heartbeat("m1", 1, t(0, 1)));
        commit(heartbeat("m2", 2));
        assertEquals(
                Assignment.of(List.of(t(2, 3))),
                group().member("m2").orElseThrow().assignedPartitions());

        // m2 dies; m1 keeps heartbeating. Its first heartbeat after m2's deadline takes m2's partitions.
        now += SESSION_MS - 1;
        commit(heartbeat("m1", 2, t(0, 1)));
        now += 1;
        HeartbeatResponse after = commit(heartbeat("m1", 2, t(0, 1)));

        assertEquals(Optional.empty(), group().member("m2"), "removed by the heartbeat, not by expire()");
        assertEquals(Optional.of(Assignment.of(List.of(t(0, 1, 2, 3)))), after.assignment());
        // The next expiry pass reports the removal, so that the broker logs it as it logs its own; once.
        assertEquals(List.of(new ExpiredMember("g", "m2", ExpiryResult.Reason.SESSION_TIMEOUT)), expire());
        assertEquals(List.of(), expire());
    }

    @Test
    void anOperationChangesNothingUntilItsRecordsAreReplayed() {
        Write<HeartbeatResponse> join = shard.heartbeat(
                new HeartbeatRequest("g", "m1", 0, null, REBALANCE_MS, "c", "h", List.of("t"), null, List.of()),
                CONNECTION,
                topics,
                now);

        assertEquals(Optional.empty(), shard.group("g"));
        assertEquals(List.of(), shard.listGroups());
        assertEquals(1, join.response().memberEpoch());

        commit(join);

        GroupMember m1 = group().member("m1").orElseThrow();
        assertEquals(1, m1.memberEpoch());
        assertEquals(Assignment.of(List.of(t(0, 1, 2, 3))), m1.assignedPartitions());
        assertEquals(List.of(new GroupListing("g", GroupState.STABLE, 1)), shard.listGroups());
    }

    @Test
    void aHeartbeatThatChangesNothingWritesNoRecordButKeepsTheMemberAlive() {
        join("m1", null, "t");
        now += SESSION_MS - 1;

        Write<HeartbeatResponse> beat = heartbeat("m1", 1, t(0, 1, 2, 3));
        assertEquals(List.of(), beat.records());
        assertEquals(GroupError.NONE, beat.response().error());

        now += SESSION_MS - 1;
        assertEquals(List.of(), expire());
        now += 1;
        assertEquals(List.of(new ExpiredMember("g", "m1", ExpiryResult.Reason.SESSION_TIMEOUT)), expire());
        assertEquals(Map.of(), group().members());
        assertEquals(GroupState.EMPTY, shard.describe("g").orElseThrow().state());
    }

    @Test
    void aRefusedHeartbeatWritesNothing() {
        join("m1", null, "t");

        Write<HeartbeatResponse> unknown = heartbeat("m9", 1);
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, unknown.response().error());
        assertEquals(List.of(), unknown.records());

        Write<HeartbeatResponse> malformed = shard.heartbeat(
                new HeartbeatRequest(null, "m1", 1, null, -1, "c", "h", null, null, null), CONNECTION, topics, now);
        assertEquals(GroupError.INVALID_REQUEST, malformed.response().error());
        assertEquals(List.of(), malformed.records());
    }

    @Test
    void aLoadedShardStartsEverySessionAndRevocationTimerAtTheLoadTime() {
        join("m1", null, "t");
        join("m2", null, "t");
        commit(heartbeat("m1", 1, t(0, 1, 2, 3))); // asked to revoke two partitions
        assertEquals(
                MemberState.UNREVOKED_PARTITIONS,
                group().member("m1").orElseThrow().state());

        CoordinatorShard loaded = shard();
        log.forEach(loaded::replay);
        long loadTime = now + 100_000; // both members' timers in the first shard have run out by now
        loaded.loaded(loadTime);

        assertEquals(
                List.of(),
                loaded.expire(group -> topics, loadTime + REBALANCE_MS - 1).response());
        assertEquals(
                List.of(new ExpiredMember("g", "m1", ExpiryResult.Reason.REBALANCE_TIMEOUT)),
                loaded.expire(group -> topics, loadTime + REBALANCE_MS).response());
        assertEquals(
                List.of(
                        new ExpiredMember("g", "m1", ExpiryResult.Reason.SESSION_TIMEOUT),
                        new ExpiredMember("g", "m2", ExpiryResult.Reason.SESSION_TIMEOUT)),
                loaded.expire(group -> topics, loadTime + SESSION_MS).response());
    }

    @Test
    void aCommitIsFencedByTheMembersEpochAndStoredWithTheCommitTime() {
        join("m1", null, "t");

        assertEquals(Map.of(T0, GroupError.NONE), commitOffset("m1", 1, T0, 10, "meta"));
        assertEquals(Map.of(T0, GroupError.STALE_MEMBER_EPOCH), commitOffset("m1", 2, T0, 11, ""));
        assertEquals(Map.of(T0, GroupError.UNKNOWN_MEMBER_ID), commitOffset("zombie", 1, T0, 12, ""));
        assertEquals(Map.of(T0, GroupError.UNKNOWN_MEMBER_ID), commitOffset("", -1, T0, 13, ""));

        assertEquals(Map.of(T0, new OffsetAndMetadata(10, -1, "meta", now)), shard.fetchOffsets("g", Optional.empty()));
        assertEquals(1, log.stream().filter(r -> r.key()[1] == 1).count(), "one offset commit record");
    }

    @Test
    void aCommitWithMalformedFieldsIsRefusedPerPartition() {
        assertEquals(Map.of(T0, GroupError.OFFSET_METADATA_TOO_LARGE), commitOffset("", -1, T0, 1, "é".repeat(9)));
        assertEquals(Map.of(T0, GroupError.NONE), commitOffset("", -1, T0, 1, "é".repeat(8)));
        assertEquals(Map.of(T0, GroupError.INVALID_COMMIT_OFFSET_SIZE), commitOffset("", -1, T0, -1, ""));
        TopicPartition bad = new TopicPartition("a b", 0);
        assertEquals(Map.of(bad, GroupError.INVALID_REQUEST), commitOffset("", -1, bad, 1, ""));

        Write<Map<TopicPartition, GroupError>> noGroup = shard.commitOffsets(
                OffsetCommitRequest.simple("", Map.of(T0, new OffsetAndMetadata(1, -1, "", 0))), now);
        assertEquals(Map.of(T0, GroupError.INVALID_GROUP_ID), noGroup.response());
        assertEquals(List.of(), noGroup.records());
    }

    @Test
    void offsetsOfAGroupWithoutConsumerGroupStateExpireARetentionAfterTheirCommit() {
        commitOffset("", -1, T0, 5, "");
        assertEquals(List.of(new GroupListing("g", GroupState.EMPTY, 0)), shard.listGroups());

        now += RETENTION_MS - 1;
        expire();
        assertEquals(Set.of(T0), shard.fetchOffsets("g", Optional.empty()).keySet());
        now += 1;
        expire();
        assertEquals(Map.of(), shard.fetchOffsets("g", Optional.empty()));
        assertEquals(List.of(), shard.listGroups());
    }

    @Test
    void offsetsOfAConsumerGroupAreKeptARetentionAfterItBecameEmpty() {
        join("m1", null, "t");
        commitOffset("m1", 1, T0, 5, "");
        now += 2 * RETENTION_MS;
        commit(heartbeat("m1", 1, t(0, 1, 2, 3)));
        expire();
        assertEquals(Set.of(T0), shard.fetchOffsets("g", Optional.empty()).keySet(), "in use: kept");

        leave("m1", -1, null);
        now += RETENTION_MS - 1;
        expire();
        assertEquals(Set.of(T0), shard.fetchOffsets("g", Optional.empty()).keySet(), "empty for less than retention");
        assertTrue(shard.group("g").isPresent());

        now += 1;
        expire();
        assertEquals(Map.of(), shard.fetchOffsets("g", Optional.empty()));
        assertEquals(Optional.empty(), shard.group("g"), "an empty group with no offset left is deleted");
        assertEquals(List.of(), shard.listGroups());
    }

    @Test
    void whileTheGroupHasMembersOffsetsOfTopicsNobodySubscribesToExpireFromTheirCommit() {
        join("m1", null, "t");
        commitOffset("m1", 1, T0, 5, "");
        commitOffset("m1", 1, U0, 7, "");

        // m1 heartbeats all along, so the group keeps a member.
        for (long end = now + RETENTION_MS; now < end; now += SESSION_MS / 2) {
            commit(heartbeat("m1", 1, t(0, 1, 2, 3)));
        }
        commit(heartbeat("m1", 1, t(0, 1, 2, 3)));
        expire();

        assertEquals(Set.of(T0), shard.fetchOffsets("g", Optional.empty()).keySet());
    }

    @Test
    void aGroupIsDeletedOnlyWhenItExistsAndHasNoMember() {
        assertEquals(GroupError.GROUP_ID_NOT_FOUND, commit(shard.deleteGroup("g", now)));
        join("m1", "i1", "t");
        commitOffset("m1", 1, T0, 5, "");
        assertEquals(GroupError.NON_EMPTY_GROUP, commit(shard.deleteGroup("g", now)));
        leave("m1", -2, "i1");
        assertEquals(
                GroupError.NON_EMPTY_GROUP,
                commit(shard.deleteGroup("g", now)),
                "a static member that left for now still holds its partitions");
        leave("m1", -1, "i1");

        Write<GroupError> delete = shard.deleteGroup("g", now);
        assertEquals(GroupError.NONE, delete.response());
        assertTrue(delete.records().stream().allMatch(GroupRecord::isTombstone));
        commit(delete);

        assertEquals(List.of(), shard.listGroups());
        assertEquals(Map.of(), shard.fetchOffsets("g", Optional.empty()));
        assertEquals(Optional.empty(), shard.describe("g"));
    }

    @Test
    void offsetsOfASubscribedTopicCannotBeDeleted() {
        assertEquals(Map.of(T0, GroupError.GROUP_ID_NOT_FOUND), commit(shard.deleteOffsets("g", Set.of(T0))));
        join("m1", null, "t");
        commitOffset("m1", 1, T0, 5, "");
        commitOffset("m1", 1, U0, 7, "");

        Write<Map<TopicPartition, GroupError>> delete = shard.deleteOffsets("g", Set.of(T0, U0));
        assertEquals(Map.of(T0, GroupError.GROUP_SUBSCRIBED_TO_TOPIC, U0, GroupError.NONE), delete.response());
        assertEquals(1, delete.records().size());
        commit(delete);

        assertEquals(Set.of(T0), shard.fetchOffsets("g", Optional.empty()).keySet());
    }

    @Test
    void describeShowsEveryMemberWithItsAssignmentAndTarget() {
        join("m1", "i1", "t");
        join("m2", null, "t");

        GroupDescription described = shard.describe("g").orElseThrow();
        assertEquals(GroupState.RECONCILING, described.state());
        assertEquals(2, described.groupEpoch());
        assertEquals(2, described.targetAssignmentEpoch());
        assertEquals("uniform", described.assignorName());
        GroupDescription.Member m1 = described.members().get(0);
        assertEquals(Optional.of("i1"), m1.instanceId());
        assertEquals(1, m1.memberEpoch());
        assertEquals(4, m1.assignment().size());
        assertEquals(2, m1.targetAssignment().size());
        GroupDescription.Member m2 = described.members().get(1);
        assertEquals(Assignment.EMPTY, m2.assignment());
        assertEquals(2, m2.targetAssignment().size());
        assertEquals(new TreeSet<>(List.of("t")), m2.subscribedTopicNames());
    }

    @Test
    void aMalformedRecordIsRefusedAndChangesNothing() {
        join("m1", null, "t");
        ConsumerGroup before = group();
        GroupRecord metadata = log.stream()
                .filter(r -> r.key()[1] == 5) // ConsumerGroupMemberMetadata
                .findFirst()
                .orElseThrow();

        MalformedGroupRecordException e = assertThrows(
                MalformedGroupRecordException.class,
                () -> shard.replay(new GroupRecord(metadata.key(), Arrays.copyOf(metadata.value(), 7))));
        assertTrue(e.getMessage().contains("ConsumerGroupMemberMetadata value"), e.getMessage());
        assertThrows(MalformedGroupRecordException.class, () -> shard.replay(new GroupRecord(new byte[] {0, 9}, null)));
        assertThrows(
                MalformedGroupRecordException.class,
                () -> shard.replay(new GroupRecord(new byte[] {0, 3, 0, 1, 'h'}, new byte[] {0, 0, 0})));

        assertEquals(before, group());
        assertEquals(List.of(new GroupListing("g", GroupState.STABLE, 1)), shard.listGroups());
    }

    @Test
    void eachGroupsRemovalsAreJudgedWithThatGroupsTopics() {
        // Two groups use one pattern; their members' principals make it resolve to different topics.
        Map<String, TopicsImage> byGroup = Map.of(
                "g1", new TopicsImage(topics.partitionCounts(), Map.of(".*", Set.of("t"))),
                "g2", new TopicsImage(topics.partitionCounts(), Map.of(".*", Set.of("u"))));
        for (String groupId : byGroup.keySet()) {
            for (String member : List.of("leaving", "staying")) {
                commit(shard.heartbeat(
                        new HeartbeatRequest(groupId, member, 0, null, REBALANCE_MS, "c", "h", null, ".*", List.of()),
                        CONNECTION,
                        byGroup.get(groupId),
                        now));
            }
        }
        now += SESSION_MS / 2;
        for (String groupId : byGroup.keySet()) {
            int epoch = shard.group(groupId)
                    .orElseThrow()
                    .member("staying")
                    .orElseThrow()
                    .memberEpoch();
            commit(shard.heartbeat(
                    new HeartbeatRequest(groupId, "staying", epoch, null, -1, "c", "h", null, null, null),
                    CONNECTION,
                    byGroup.get(groupId),
                    now));
        }
        now += SESSION_MS / 2;

        assertEquals(2, commit(shard.expire(byGroup::get, now)).size());

        assertEquals(Map.of("t", 4), shard.group("g1").orElseThrow().subscribedTopicPartitions());
        assertEquals(Map.of("u", 1), shard.group("g2").orElseThrow().subscribedTopicPartitions());
    }

    @Test
    void anExpiryPassThatRemovesNoMemberResolvesNoGroupsTopics() {
        join("m1", null, "t");
        List<String> asked = new ArrayList<>();
        Function<String, TopicsImage> recording = group -> {
            asked.add(group);
            return topics;
        };

        commit(shard.expire(recording, now + SESSION_MS - 1));
        assertEquals(List.of(), asked, "resolving every group's patterns each second would cost for nothing");

        commit(shard.expire(recording, now + SESSION_MS));
        assertEquals(List.of("g"), asked);
    }

    @Test
    void aGroupSubscribesWithAPatternWhileOneOfItsMembersDoes() {
        assertFalse(shard.subscribesWithPattern("g"), "an unknown group");
        join("m1", null, "t");
        assertFalse(shard.subscribesWithPattern("g"), "topic names only");

        commit(shard.heartbeat(
                new HeartbeatRequest("g", "m2", 0, null, REBALANCE_MS, "c", "h", null, "t|u", List.of()),
                CONNECTION,
                topics,
                now));
        assertTrue(shard.subscribesWithPattern("g"));

        leave("m2", -1, null);
        assertFalse(shard.subscribesWithPattern("g"), "its member with a pattern left");
    }
}
