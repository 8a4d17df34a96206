package io.ferry.client.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.TopicPartition;
import io.ferry.client.internal.GroupMembership.Reconciliation;
import io.ferry.client.internal.GroupMembership.State;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionsByTopic;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The membership state machine, heartbeat by heartbeat, with no coordinator. */
class GroupMembershipTest {

    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);

    private final GroupMembership membership = new GroupMembership("g", Optional.empty(), "client", 30_000);

    @Test
    void joinsWithEpochZeroTheSubscriptionAndNothingOwned() {
        assertTrue(membership.request().isEmpty(), "no heartbeat before subscribe");
        membership.subscribe(Set.of("t"), null);
        ConsumerGroupHeartbeatRequest join = membership.request().orElseThrow();
        assertEquals(0, join.getMemberEpoch());
        assertEquals(30_000, join.getRebalanceTimeoutMs());
        assertEquals(List.of("t"), join.getSubscribedTopicNames().getNamesList());
        assertTrue(join.hasOwnedTopicPartitions());
        assertEquals(0, join.getOwnedTopicPartitions().getTopicsCount());
    }

    @Test
    void assignmentIsAppliedThenConfirmedAndLaterHeartbeatsAreIncremental() {
        membership.subscribe(Set.of("t"), null);
        assertTrue(answer(membership.request().orElseThrow(), 1, T0, T1));
        Reconciliation change = membership.reconciliation();
        assertEquals(Set.of(T0, T1), change.assigned());
        assertEquals(Set.of(), change.revoked());

        membership.owned(change, Set.of(T0, T1));
        assertTrue(membership.reconciliation().isEmpty());
        ConsumerGroupHeartbeatRequest confirm = membership.request().orElseThrow();
        assertEquals(1, confirm.getMemberEpoch());
        assertEquals(2, confirm.getOwnedTopicPartitions().getTopics(0).getPartitionsCount());
        assertFalse(answer(confirm, 1));

        ConsumerGroupHeartbeatRequest next = membership.request().orElseThrow();
        assertFalse(next.hasSubscribedTopicNames());
        assertFalse(next.hasOwnedTopicPartitions());
        assertEquals(-1, next.getRebalanceTimeoutMs());
    }

    @Test
    void aRevokedPartitionIsReleasedBeforeTheCoordinatorHearsOfIt() {
        owning(T0, T1);
        assertTrue(answer(membership.request().orElseThrow(), 2, T0));
        Reconciliation change = membership.reconciliation();
        assertEquals(Set.of(T1), change.revoked());
        assertEquals(Set.of(), change.assigned());
        // Until the application applied it, heartbeats do not claim the partition is given up.
        assertFalse(membership.request().orElseThrow().hasOwnedTopicPartitions());

        membership.owned(change, Set.of(T0));
        ConsumerGroupHeartbeatRequest released = membership.request().orElseThrow();
        assertEquals(
                PartitionsByTopic.newBuilder().setTopic("t").addPartitions(0).build(),
                released.getOwnedTopicPartitions().getTopics(0));
    }

    @Test
    void fencingLosesEveryPartitionAndRejoinsWithEpochZeroOnceTheyAreGivenUp() {
        owning(T0, T1);
        ConsumerGroupHeartbeatResponse fenced = ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(Error.newBuilder().setCode(ErrorCode.FENCED_MEMBER_EPOCH))
                .build();
        assertTrue(membership.onResponse(membership.request().orElseThrow(), fenced));
        assertEquals(State.LOST, membership.state());
        assertTrue(membership.request().isEmpty(), "no heartbeat until the partitions are given up");

        Reconciliation lost = membership.reconciliation();
        assertTrue(lost.lost());
        assertEquals(Set.of(T0, T1), lost.revoked());
        membership.owned(lost, Set.of());
        ConsumerGroupHeartbeatRequest rejoin = membership.request().orElseThrow();
        assertEquals(0, rejoin.getMemberEpoch());
        assertTrue(rejoin.hasSubscribedTopicNames());
        assertEquals(0, rejoin.getOwnedTopicPartitions().getTopicsCount());
    }

    @Test
    void aMemberThatStoppedPollingLeavesAndItsPartitionsAreLost() {
        owning(T0);
        membership.pollTimerExpired();
        ConsumerGroupHeartbeatRequest leave = membership.request().orElseThrow();
        assertEquals(-1, leave.getMemberEpoch());
        membership.onResponse(leave, ConsumerGroupHeartbeatResponse.getDefaultInstance());
        assertTrue(membership.request().isEmpty());
        assertTrue(membership.reconciliation().lost());
    }

    @Test
    void leavingSendsEpochMinusOneOrMinusTwoForAStaticMember() {
        owning(T0);
        membership.leave();
        ConsumerGroupHeartbeatRequest leave = membership.request().orElseThrow();
        assertEquals(-1, leave.getMemberEpoch());
        membership.onResponse(leave, ConsumerGroupHeartbeatResponse.getDefaultInstance());
        assertEquals(State.UNSUBSCRIBED, membership.state());
        assertTrue(membership.request().isEmpty());

        GroupMembership staticMember = new GroupMembership("g", Optional.of("i-1"), "client", 30_000);
        staticMember.subscribe(Set.of("t"), null);
        staticMember.leave();
        ConsumerGroupHeartbeatRequest staticLeave = staticMember.request().orElseThrow();
        assertEquals(-2, staticLeave.getMemberEpoch());
        assertEquals("i-1", staticLeave.getInstanceId());
    }

    @Test
    void commitsComeFromOutsideTheGroupUntilSubscribedThenFromTheMemberAtItsEpoch() {
        assertEquals(new GroupMembership.Committer("", -1), membership.committer());

        membership.subscribe(Set.of("t"), null);
        ConsumerGroupHeartbeatRequest join = membership.request().orElseThrow();
        assertEquals(new GroupMembership.Committer(join.getMemberId(), 0), membership.committer());
        answer(join, 3, T0);
        assertEquals(new GroupMembership.Committer(join.getMemberId(), 3), membership.committer());
    }

    @Test
    void wakingEndsTheWaitForAHeartbeatThatIsFarOff() throws Exception {
        membership.subscribe(Set.of("t"), null);
        ConsumerGroupHeartbeatRequest join = membership.request().orElseThrow();
        membership.onResponse(
                join,
                ConsumerGroupHeartbeatResponse.newBuilder()
                        .setMemberId(join.getMemberId())
                        .setMemberEpoch(1)
                        .setHeartbeatIntervalMs(600_000)
                        .build());
        membership.awaitHeartbeat(0);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                membership.awaitHeartbeat(Long.MAX_VALUE / 4);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The next heartbeat is ten minutes off.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10)).until(() -> !waiting.isDone());

        membership.wake();
        waiting.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aPatternSubscriptionSendsTheRegex() {
        membership.subscribe(Set.of(), "orders-.*");
        ConsumerGroupHeartbeatRequest join = membership.request().orElseThrow();
        assertEquals("orders-.*", join.getSubscribedTopicRegex());
        assertFalse(join.hasSubscribedTopicNames());
    }

    @Test
    void aHeartbeatAfterAFailedOneCarriesTheOwnedPartitions() {
        owning(T0, T1);
        assertFalse(membership.request().orElseThrow().hasOwnedTopicPartitions(), "incremental while answered");

        // No answer: a new coordinator may hold this member at epoch 2 from an answer that was lost, and
        // accepts epoch 1 only with owned partitions within the new assignment.
        membership.heartbeatFailed(0);
        ConsumerGroupHeartbeatRequest retry = membership.request().orElseThrow();
        assertEquals(1, retry.getMemberEpoch());
        assertEquals("t", retry.getOwnedTopicPartitions().getTopics(0).getTopic());
        assertEquals(
                Set.of(0, 1),
                Set.copyOf(retry.getOwnedTopicPartitions().getTopics(0).getPartitionsList()));

        assertFalse(answer(retry, 2, T0, T1));
        assertFalse(membership.request().orElseThrow().hasOwnedTopicPartitions(), "incremental once answered");
    }

    @Test
    void aHeartbeatSentAgainCarriesTheOwnedPartitionsButALeaveGoesAsItIs() {
        owning(T0, T1);
        ConsumerGroupHeartbeatRequest first = membership.request().orElseThrow();
        assertFalse(first.hasOwnedTopicPartitions());
        assertEquals(first, membership.attempt(first, 0));

        ConsumerGroupHeartbeatRequest again = membership.attempt(first, 1);
        assertEquals(1, again.getMemberEpoch());
        assertEquals(
                Set.of(0, 1),
                Set.copyOf(again.getOwnedTopicPartitions().getTopics(0).getPartitionsList()));

        membership.leave();
        ConsumerGroupHeartbeatRequest leave = membership.request().orElseThrow();
        assertEquals(leave, membership.attempt(leave, 1));
    }

    /** A member at epoch 1 owning the partitions, confirmed. */
    private void owning(TopicPartition... partitions) {
        membership.subscribe(Set.of("t"), null);
        answer(membership.request().orElseThrow(), 1, partitions);
        membership.owned(membership.reconciliation(), Set.of(partitions));
        answer(membership.request().orElseThrow(), 1);
    }

    /** Answers the heartbeat with the epoch and, when partitions are given, that assignment. */
    private boolean answer(ConsumerGroupHeartbeatRequest sent, int epoch, TopicPartition... assigned) {
        ConsumerGroupHeartbeatResponse.Builder response = ConsumerGroupHeartbeatResponse.newBuilder()
                .setMemberId(sent.getMemberId())
                .setMemberEpoch(epoch)
                .setHeartbeatIntervalMs(1000);
        if (assigned.length > 0) {
            PartitionsByTopic.Builder t = PartitionsByTopic.newBuilder().setTopic("t");
            for (TopicPartition tp : assigned) {
                t.addPartitions(tp.partition());
            }
            response.setAssignment(
                    ConsumerGroupHeartbeatResponse.Assignment.newBuilder().addTopics(t));
        }
        return membership.onResponse(sent, response.build());
    }
}
