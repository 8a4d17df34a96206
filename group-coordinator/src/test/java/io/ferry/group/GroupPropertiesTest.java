package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of joins, leaves, crashes, heartbeats (acknowledging the last assignment or not),
 * subscription changes, topic growth and the passing of time, driven against {@link GroupCoordinator} by
 * model clients. After every step: no partition is owned twice (the coordinator's view, and the clients':
 * a client that is still a member holds only what the coordinator counts as its own; of the clients that
 * hold a partition, at most one could commit its offset), the group epoch never decreases and no member's
 * epoch exceeds it. Once clients only heartbeat and acknowledge, the group converges: every member is
 * stable at the group epoch with its target assignment, which is complete and balanced.
 */
class GroupPropertiesTest {

    static final List<String> TOPICS = List.of("a", "b", "c");
    static final int CLIENTS = 5;

    static final int SESSION_MS = 10_000;
    static final int STEP_MS = 100;

    sealed interface Action {}

    record Join(int client, Set<String> topics) implements Action {}

    record Leave(int client) implements Action {}

    record Crash(int client) implements Action {}

    record Heartbeat(int client, boolean ack) implements Action {}

    /** A heartbeat whose answer is lost on the way back. */
    record LostAnswer(int client) implements Action {}

    record Subscribe(int client, Set<String> topics) implements Action {}

    record Grow(String topic, int by) implements Action {}

    /** Time passes (members that do not heartbeat meanwhile may expire). */
    record Wait(int ms) implements Action {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> client = Arbitraries.integers().between(0, CLIENTS - 1);
        Arbitrary<Set<String>> topics = Arbitraries.of(TOPICS).set().ofMaxSize(TOPICS.size());
        return Arbitraries.<Action>frequencyOf(
                        Tuple.of(4, Combinators.combine(client, topics).as(Join::new)),
                        Tuple.of(1, client.map(Leave::new)),
                        Tuple.of(1, client.map(Crash::new)),
                        Tuple.of(
                                12,
                                Combinators.combine(client, Arbitraries.of(true, false))
                                        .as(Heartbeat::new)),
                        Tuple.of(2, client.map(LostAnswer::new)),
                        Tuple.of(1, Combinators.combine(client, topics).as(Subscribe::new)),
                        Tuple.of(
                                1,
                                Combinators.combine(
                                                Arbitraries.of(TOPICS),
                                                Arbitraries.integers().between(1, 3))
                                        .as(Grow::new)),
                        Tuple.of(
                                1, Arbitraries.integers().between(1_000, 12_000).map(Wait::new)))
                .list()
                .ofMinSize(1)
                .ofMaxSize(80);
    }

    @Provide
    Arbitrary<String> assignors() {
        return Arbitraries.of("uniform", "range");
    }

    @Property(tries = 400)
    void ownershipIsExclusiveAndTheGroupConverges(
            @ForAll("actions") List<Action> actions, @ForAll("assignors") String assignor) {
        Simulation sim = new Simulation(PartitionAssignor.byName(assignor).orElseThrow());
        for (Action action : actions) {
            int epochBefore = sim.group.groupEpoch();
            sim.apply(action);
            sim.checkInvariants(action, epochBefore);
        }
        sim.converge();
    }

    /** The group, the topics, the clock and the model clients. */
    static final class Simulation {
        final GroupCoordinator coordinator;
        final PartitionAssignor assignor;
        final Map<String, Integer> partitionCounts = new TreeMap<>(Map.of("a", 3, "b", 2, "c", 4));
        final ModelConsumer[] clients = new ModelConsumer[CLIENTS];
        ConsumerGroup group = ConsumerGroup.empty("g");
        long now = 0;

        Simulation(PartitionAssignor assignor) {
            this.assignor = assignor;
            this.coordinator = new GroupCoordinator(
                    new GroupConfig(SESSION_MS, 1_000, 1_000, assignor, GroupConfig.NO_DISCONNECT_GRACE));
            for (int i = 0; i < CLIENTS; i++) {
                clients[i] = new ModelConsumer(i);
            }
        }

        TopicsImage topics() {
            return TopicsImage.of(partitionCounts);
        }

        /** A client's heartbeat, answered by the coordinator now. */
        HeartbeatResponse send(HeartbeatRequest request) {
            HeartbeatResult result = coordinator.heartbeat(group, request, topics(), now);
            group = result.group();
            return result.response();
        }

        void apply(Action action) {
            now += STEP_MS;
            if (action instanceof Join j) {
                ModelConsumer c = clients[j.client()];
                if (!c.joined) {
                    c.topics = new TreeSet<>(j.topics());
                    c.join(this::send);
                }
            } else if (action instanceof Leave l) {
                clients[l.client()].leave(this::send);
            } else if (action instanceof Crash c) {
                clients[c.client()].crash();
            } else if (action instanceof Heartbeat h) {
                clients[h.client()].heartbeat(this::send, h.ack(), null);
            } else if (action instanceof LostAnswer l) {
                clients[l.client()].loseAnswer(this::send);
            } else if (action instanceof Subscribe s) {
                clients[s.client()].heartbeat(this::send, false, new TreeSet<>(s.topics()));
            } else if (action instanceof Grow g) {
                partitionCounts.merge(g.topic(), g.by(), Integer::sum);
            } else if (action instanceof Wait w) {
                now += w.ms();
                group = coordinator.expire(group, topics(), now).group();
            }
        }

        void checkInvariants(Action action, int epochBefore) {
            String after = " after " + action + " in " + group;
            Map<TopicPartition, String> owners = group.partitionOwners(); // throws on a partition owned twice
            assertTrue(group.groupEpoch() >= epochBefore, "group epoch went back" + after);
            assertTrue(group.targetAssignmentEpoch() <= group.groupEpoch(), after);
            for (GroupMember m : group.members().values()) {
                assertTrue(m.memberEpoch() <= group.groupEpoch(), m.memberId() + "'s epoch above the group's" + after);
            }
            Map<TopicPartition, String> committers = new TreeMap<>();
            for (ModelConsumer c : clients) {
                for (TopicPartition tp : c.held.partitions()) {
                    group.member(c.memberId)
                            .ifPresent(m -> assertEquals(
                                    c.memberId,
                                    owners.get(tp),
                                    c.memberId + " holds " + tp + " it does not own" + after));
                    if (coordinator.checkOffsetCommit(group, c.memberId, c.epoch, tp) == GroupError.NONE) {
                        String other = committers.put(tp, c.memberId);
                        assertEquals(null, other, "two clients may commit " + tp + after);
                    }
                }
            }
        }

        /** Dead members expire; then live clients heartbeat (and rejoin) until nothing changes. */
        void converge() {
            // After the last action, every live member heartbeats; then the others expire (and live ones that
            // were just asked to revoke, by their rebalance timeout: they rejoin below).
            now += STEP_MS;
            for (ModelConsumer c : clients) {
                if (c.joined) {
                    c.heartbeat(this::send, true, null);
                }
            }
            now += SESSION_MS - 1;
            group = coordinator.expire(group, topics(), now).group();
            for (int round = 0; round < 20; round++) {
                ConsumerGroup before = group;
                for (ModelConsumer c : clients) {
                    now += STEP_MS;
                    if (c.joined) {
                        c.heartbeat(this::send, true, null);
                    } else if (c.wantsToBeMember) {
                        c.join(this::send);
                    }
                    checkInvariants(new Heartbeat(c.index, true), 0);
                }
                boolean allIn = Arrays.stream(clients).allMatch(c -> c.joined || !c.wantsToBeMember);
                if (allIn && reconciliationState(group).equals(reconciliationState(before))) {
                    break;
                }
            }
            checkConverged();
        }

        /** The group without its timers, which every heartbeat moves. */
        static List<Object> reconciliationState(ConsumerGroup g) {
            List<Object> state =
                    new ArrayList<>(List.of(g.groupEpoch(), g.targetAssignmentEpoch(), g.targetAssignment()));
            g.members()
                    .values()
                    .forEach(m -> state.addAll(List.of(
                            m.memberId(),
                            m.memberEpoch(),
                            m.state(),
                            m.assignedPartitions(),
                            m.partitionsPendingRevocation())));
            return state;
        }

        void checkConverged() {
            String state = " in " + group;
            if (!group.members().isEmpty()) { // an empty group's target waits for the next member
                assertEquals(group.groupEpoch(), group.targetAssignmentEpoch(), "target not computed" + state);
            }
            for (ModelConsumer c : clients) {
                if (!c.wantsToBeMember) {
                    continue;
                }
                GroupMember m =
                        group.member(c.memberId).orElseThrow(() -> new AssertionError(c + " not a member" + state));
                assertEquals(MemberState.STABLE, m.state(), c + state);
                assertEquals(group.groupEpoch(), m.memberEpoch(), c + state);
                assertEquals(group.targetOf(m.memberId()), m.assignedPartitions(), c + state);
                assertEquals(m.assignedPartitions(), c.held, c + state);
            }
            Map<String, Set<String>> subscriptions = new TreeMap<>();
            group.members().forEach((id, m) -> subscriptions.put(id, m.subscribedTopicNames()));
            AssignmentChecks.complete(subscriptions, partitionCounts, group.targetAssignment());
            if (assignor.name().equals("uniform")) {
                AssignmentChecks.balanced(subscriptions, group.targetAssignment());
            } else {
                assertEquals(
                        assignor.assign(subscriptions, Map.of(), partitionCounts),
                        group.targetAssignment(),
                        "range layout" + state);
            }
        }
    }
}
