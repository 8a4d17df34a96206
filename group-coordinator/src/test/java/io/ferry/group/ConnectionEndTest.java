package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A connection's end ({@link CoordinatorShard#connectionEnded}): the dynamic members whose latest heartbeat came
 * on it have their session cut to the disconnect grace, and the expiry pass then removes them as for a session
 * timeout; static members, members that heartbeat since on another connection, and groups with the grace off
 * keep their whole session.
 */
class ConnectionEndTest {

    static final int SESSION_MS = 45_000;
    static final int HEARTBEAT_MS = 3_000;
    static final int GRACE_MS = 9_000;

    final Object connection1 = new Object();
    final Object connection2 = new Object();
    final TopicsImage topics = TopicsImage.of(Map.of("t", 4));

    CoordinatorShard shard = shard(GRACE_MS);
    long now = 1_000;

    static CoordinatorShard shard(int graceMs) {
        return new CoordinatorShard(
                new GroupConfig(SESSION_MS, HEARTBEAT_MS, 10, PartitionAssignor.uniform(), graceMs),
                new OffsetConfig(600_000, 16));
    }

    <T> T commit(Write<T> write) {
        write.records().forEach(shard::replay);
        return write.response();
    }

    HeartbeatResponse heartbeat(String member, String instance, int epoch, Object connection, int... owned) {
        List<TopicPartition> partitions =
                Arrays.stream(owned).mapToObj(p -> new TopicPartition("t", p)).toList();
        HeartbeatRequest request = epoch == HeartbeatRequest.JOIN_EPOCH
                ? new HeartbeatRequest("g", member, epoch, instance, 30_000, "c", "h", List.of("t"), null, partitions)
                : new HeartbeatRequest("g", member, epoch, instance, -1, "c", "h", null, null, partitions);
        HeartbeatResponse response = commit(shard.heartbeat(request, connection, topics, now));
        assertEquals(GroupError.NONE, response.error(), response.errorMessage());
        return response;
    }

    List<ExpiredMember> expire() {
        return commit(shard.expire(group -> topics, now));
    }

    Optional<GroupMember> member(String id) {
        return shard.group("g").orElseThrow().member(id);
    }

    /** m1 on connection 1 and m2 (static with {@code m2Instance}) on connection 2, two partitions each. */
    void twoMembersOwningTwoPartitionsEach(String m2Instance) {
        heartbeat("m1", null, 0, connection1);
        heartbeat("m2", m2Instance, 0, connection2);
        heartbeat("m1", null, 1, connection1, 0, 1, 2, 3);
        heartbeat("m1", null, 1, connection1, 0, 1);
        heartbeat("m2", m2Instance, 2, connection2);
        assertEquals(
                Assignment.of(List.of(new TopicPartition("t", 2), new TopicPartition("t", 3))),
                member("m2").orElseThrow().assignedPartitions());
    }

    @Test
    void aMemberWhoseConnectionEndedIsRemovedAfterTheGraceAndItsPartitionsGoToTheOthers() {
        twoMembersOwningTwoPartitionsEach(null);

        assertEquals(Map.of("g", Set.of("m2")), shard.connectionEnded(connection2, now));

        now += GRACE_MS - 1;
        assertEquals(List.of(), expire());
        now += 1;
        assertEquals(List.of(new ExpiredMember("g", "m2", ExpiryResult.Reason.SESSION_TIMEOUT)), expire());
        HeartbeatResponse m1 = heartbeat("m1", null, 2, connection1, 0, 1);
        assertEquals(
                Optional.of(Assignment.of(List.of(
                        new TopicPartition("t", 0),
                        new TopicPartition("t", 1),
                        new TopicPartition("t", 2),
                        new TopicPartition("t", 3)))),
                m1.assignment());
    }

    @Test
    void aStaticMemberKeepsItsWholeSession() {
        twoMembersOwningTwoPartitionsEach("i2");

        assertEquals(Map.of(), shard.connectionEnded(connection2, now));

        now += SESSION_MS - 1;
        assertEquals(List.of(), expire());
        assertTrue(member("m2").isPresent());
    }

    @Test
    void aHeartbeatAfterTheEndRestoresTheWholeSession() {
        twoMembersOwningTwoPartitionsEach(null);
        shard.connectionEnded(connection2, now);

        now += GRACE_MS - 1;
        Object reconnected = new Object();
        heartbeat("m2", null, 2, reconnected, 2, 3);
        heartbeat("m1", null, 2, connection1, 0, 1);
        now += SESSION_MS - 1;
        assertEquals(List.of(), expire());
        assertTrue(member("m2").isPresent());
    }

    @Test
    void onlyTheConnectionOfTheLatestHeartbeatCounts() {
        twoMembersOwningTwoPartitionsEach(null);
        Object reconnected = new Object();
        heartbeat("m2", null, 2, reconnected, 2, 3);

        assertEquals(Map.of(), shard.connectionEnded(connection2, now), "m2 moved away from connection 2");
        assertEquals(Map.of("g", Set.of("m2")), shard.connectionEnded(reconnected, now));
        assertEquals(Map.of(), shard.connectionEnded(reconnected, now), "an ended connection is forgotten");
    }

    @Test
    void aMemberThatLeftOrExpiredIsForgotten() {
        twoMembersOwningTwoPartitionsEach(null);
        commit(shard.heartbeat(
                new HeartbeatRequest("g", "m2", HeartbeatRequest.LEAVE_EPOCH, null, -1, "c", "h", null, null, null),
                connection2,
                topics,
                now));
        assertEquals(Map.of(), shard.connectionEnded(connection2, now));

        now += SESSION_MS;
        assertEquals(List.of(new ExpiredMember("g", "m1", ExpiryResult.Reason.SESSION_TIMEOUT)), expire());
        assertEquals(Map.of(), shard.connectionEnded(connection1, now));
    }

    @Test
    void withTheGraceOffAConnectionsEndChangesNoSession() {
        shard = shard(GroupConfig.NO_DISCONNECT_GRACE);
        twoMembersOwningTwoPartitionsEach(null);

        assertEquals(Map.of(), shard.connectionEnded(connection2, now));
        now += SESSION_MS - 1;
        assertEquals(List.of(), expire());
    }

    @Test
    void theGraceLiesFromOneHeartbeatIntervalToBelowTheSessionTimeout() {
        PartitionAssignor uniform = PartitionAssignor.uniform();
        assertThrows(
                IllegalArgumentException.class,
                () -> new GroupConfig(SESSION_MS, HEARTBEAT_MS, 10, uniform, HEARTBEAT_MS - 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GroupConfig(SESSION_MS, HEARTBEAT_MS, 10, uniform, SESSION_MS));
        assertEquals(
                HEARTBEAT_MS, new GroupConfig(SESSION_MS, HEARTBEAT_MS, 10, uniform, HEARTBEAT_MS).disconnectGraceMs());
    }
}
