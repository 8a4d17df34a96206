package io.ferry.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.group.Assignment;
import io.ferry.group.AssignmentChecks;
import io.ferry.group.PartitionAssignor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class RangeAssignorTest {

    private final PartitionAssignor assignor = PartitionAssignor.range();

    @Test
    void splitsATopicIntoContiguousRangesInMemberOrderTheFirstOnesLonger() {
        SortedMap<String, Assignment> result = assignor.assign(
                Map.of("m2", Set.of("t"), "m1", Set.of("t"), "m3", Set.of("t")), Map.of(), Map.of("t", 7));

        assertEquals(Assignment.of(Map.of("t", List.of(0, 1, 2))), result.get("m1"));
        assertEquals(Assignment.of(Map.of("t", List.of(3, 4))), result.get("m2"));
        assertEquals(Assignment.of(Map.of("t", List.of(5, 6))), result.get("m3"));
    }

    @Test
    void coPartitionedTopicsLineUp() {
        SortedMap<String, Assignment> result = assignor.assign(
                Map.of("m1", Set.of("orders", "payments"), "m2", Set.of("orders", "payments")),
                Map.of(),
                Map.of("orders", 5, "payments", 5));

        for (Assignment a : result.values()) {
            assertEquals(a.byTopic().get("orders"), a.byTopic().get("payments"));
        }
        assertEquals(Assignment.of(Map.of("orders", List.of(0, 1, 2), "payments", List.of(0, 1, 2))), result.get("m1"));
    }

    @Test
    void onlyATopicsSubscribersShareIt() {
        Map<String, Set<String>> subscriptions = Map.of("m1", Set.of("a"), "m2", Set.of("a", "b"), "m3", Set.of("b"));
        SortedMap<String, Assignment> result = assignor.assign(subscriptions, Map.of(), Map.of("a", 3, "b", 2));

        assertEquals(Assignment.of(Map.of("a", List.of(0, 1))), result.get("m1"));
        assertEquals(Assignment.of(Map.of("a", List.of(2), "b", List.of(0))), result.get("m2"));
        assertEquals(Assignment.of(Map.of("b", List.of(1))), result.get("m3"));
        AssignmentChecks.complete(subscriptions, Map.of("a", 3, "b", 2), result);
    }

    @Test
    void moreMembersThanPartitionsLeavesTheLastOnesEmpty() {
        SortedMap<String, Assignment> result = assignor.assign(
                Map.of("m1", Set.of("t"), "m2", Set.of("t"), "m3", Set.of("t")), Map.of(), Map.of("t", 2));

        assertEquals(
                List.of(1, 1, 0), result.values().stream().map(Assignment::size).toList());
    }
}
