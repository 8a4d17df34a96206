package io.ferry.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.Assignment;
import io.ferry.group.AssignmentChecks;
import io.ferry.group.PartitionAssignor;
import io.ferry.group.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class UniformAssignorTest {

    private final PartitionAssignor assignor = PartitionAssignor.uniform();

    private static Map<String, Set<String>> allSubscribe(Set<String> topics, String... members) {
        Map<String, Set<String>> subscriptions = new TreeMap<>();
        for (String m : members) {
            subscriptions.put(m, topics);
        }
        return subscriptions;
    }

    private static int moved(Map<String, Assignment> before, Map<String, Assignment> after) {
        int moved = 0;
        for (Map.Entry<String, Assignment> e : after.entrySet()) {
            moved += e.getValue()
                    .minus(before.getOrDefault(e.getKey(), Assignment.EMPTY))
                    .size();
        }
        return moved;
    }

    @Test
    void spreadsPartitionsEvenlyOverMembersWithTheSameSubscription() {
        SortedMap<String, Assignment> result =
                assignor.assign(allSubscribe(Set.of("a", "b"), "m1", "m2", "m3"), Map.of(), Map.of("a", 7, "b", 5));

        assertEquals(
                List.of(4, 4, 4), result.values().stream().map(Assignment::size).toList());
        AssignmentChecks.complete(allSubscribe(Set.of("a", "b"), "m1", "m2", "m3"), Map.of("a", 7, "b", 5), result);
    }

    @Test
    void aJoiningMemberTakesOnlyItsShare() {
        Map<String, Integer> topics = Map.of("a", 12);
        SortedMap<String, Assignment> before =
                assignor.assign(allSubscribe(Set.of("a"), "m1", "m2", "m3"), Map.of(), topics);

        SortedMap<String, Assignment> after =
                assignor.assign(allSubscribe(Set.of("a"), "m1", "m2", "m3", "m4"), before, topics);

        assertEquals(3, after.get("m4").size());
        assertEquals(3, moved(before, after), "only the joiner's three partitions move: " + after);
        for (String m : List.of("m1", "m2", "m3")) {
            assertTrue(after.get(m).isSubsetOf(before.get(m)), m + " keeps three of its four: " + after);
        }
    }

    @Test
    void aLeavingMemberMovesOnlyItsOwnPartitions() {
        Map<String, Integer> topics = Map.of("a", 7, "b", 6);
        SortedMap<String, Assignment> before =
                assignor.assign(allSubscribe(Set.of("a", "b"), "m1", "m2", "m3", "m4"), Map.of(), topics);

        SortedMap<String, Assignment> after =
                assignor.assign(allSubscribe(Set.of("a", "b"), "m1", "m2", "m4"), before, topics);

        for (String m : List.of("m1", "m2", "m4")) {
            assertTrue(before.get(m).isSubsetOf(after.get(m)), m + " keeps all it had: " + after);
        }
        assertEquals(before.get("m3").size(), moved(before, after));
        AssignmentChecks.balanced(allSubscribe(Set.of("a", "b"), "m1", "m2", "m4"), after);
    }

    @Test
    void membersWithDifferentSubscriptionsGetOnlyTheirTopicsAndAreBalanced() {
        Map<String, Set<String>> subscriptions =
                Map.of("m1", Set.of("a"), "m2", Set.of("a", "b"), "m3", Set.of("b"), "m4", Set.of("c"));
        Map<String, Integer> topics = Map.of("a", 4, "b", 5, "c", 1);

        SortedMap<String, Assignment> result = assignor.assign(subscriptions, Map.of(), topics);

        AssignmentChecks.complete(subscriptions, topics, result);
        AssignmentChecks.balanced(subscriptions, result);
        assertEquals(1, result.get("m4").size());
    }

    @Test
    void aGrowingTopicAddsPartitionsWithoutMovingAny() {
        Map<String, Set<String>> subscriptions = allSubscribe(Set.of("a"), "m1", "m2");
        SortedMap<String, Assignment> before = assignor.assign(subscriptions, Map.of(), Map.of("a", 4));

        SortedMap<String, Assignment> after = assignor.assign(subscriptions, before, Map.of("a", 6));

        assertTrue(before.get("m1").isSubsetOf(after.get("m1")));
        assertTrue(before.get("m2").isSubsetOf(after.get("m2")));
        assertEquals(3, after.get("m1").size());
    }

    @Test
    void dropsPartitionsThatNoLongerExistOrAreNoLongerSubscribed() {
        Map<String, Assignment> current = Map.of(
                "m1", Assignment.of(List.of(new TopicPartition("a", 0), new TopicPartition("gone", 0))),
                "m2", Assignment.of(List.of(new TopicPartition("a", 1), new TopicPartition("a", 9))));

        SortedMap<String, Assignment> result =
                assignor.assign(Map.of("m1", Set.of("b"), "m2", Set.of("a")), current, Map.of("a", 2, "b", 1));

        assertEquals(Assignment.of(Map.of("b", List.of(0))), result.get("m1"));
        assertEquals(Assignment.of(Map.of("a", List.of(0, 1))), result.get("m2"));
    }

    @Test
    void aPartitionInTwoCurrentAssignmentsIsKeptByOneMemberOnly() {
        Map<String, Assignment> current =
                Map.of("m1", Assignment.of(Map.of("a", List.of(0))), "m2", Assignment.of(Map.of("a", List.of(0))));

        SortedMap<String, Assignment> result =
                assignor.assign(allSubscribe(Set.of("a"), "m1", "m2"), current, Map.of("a", 2));

        AssignmentChecks.complete(allSubscribe(Set.of("a"), "m1", "m2"), Map.of("a", 2), result);
    }

    @Test
    void isDeterministicWhateverTheOrderOfItsInput() {
        Map<String, Set<String>> sorted =
                new TreeMap<>(Map.of("x", Set.of("a", "b"), "y", Set.of("b"), "z", Set.of("a")));
        Map<String, Set<String>> hashed = new HashMap<>(sorted);
        Map<String, Integer> topics = Map.of("a", 5, "b", 3);

        assertEquals(assignor.assign(sorted, Map.of(), topics), assignor.assign(hashed, Map.of(), topics));
        assertEquals(assignor.assign(sorted, Map.of(), topics), assignor.assign(sorted, Map.of(), topics));
    }

    @Test
    void aMemberWhoseTopicsDoNotExistGetsAnEmptyAssignment() {
        SortedMap<String, Assignment> result =
                assignor.assign(Map.of("m1", Set.of("nope"), "m2", Set.of()), Map.of(), Map.of("a", 1));

        assertEquals(Map.of("m1", Assignment.EMPTY, "m2", Assignment.EMPTY), result);
    }

    @Provide
    Arbitrary<Map<String, Set<String>>> subscriptions() {
        return Arbitraries.maps(
                        Arbitraries.of("m1", "m2", "m3", "m4", "m5", "m6"),
                        Arbitraries.of("a", "b", "c", "d").set())
                .ofMaxSize(6);
    }

    @Provide
    Arbitrary<Map<String, Integer>> topics() {
        return Arbitraries.maps(
                Arbitraries.of("a", "b", "c"), Arbitraries.integers().between(1, 9));
    }

    /**
     * From any current target (here: the assignment of other subscriptions and topics), the result is
     * complete and balanced, and assigning again from it moves nothing.
     */
    @Property(tries = 500)
    void completeBalancedAndStable(
            @ForAll("subscriptions") Map<String, Set<String>> earlier,
            @ForAll("topics") Map<String, Integer> earlierTopics,
            @ForAll("subscriptions") Map<String, Set<String>> subscriptions,
            @ForAll("topics") Map<String, Integer> topics) {
        SortedMap<String, Assignment> current = assignor.assign(earlier, Map.of(), earlierTopics);

        SortedMap<String, Assignment> result = assignor.assign(subscriptions, current, topics);

        AssignmentChecks.complete(subscriptions, topics, result);
        AssignmentChecks.balanced(subscriptions, result);
        assertEquals(result, assignor.assign(subscriptions, result, topics));
    }
}
