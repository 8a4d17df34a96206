package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.ConsumerGroupListing;
import io.ferry.group.GroupState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupStateFilterTest {

    private static final ConsumerGroupListing STABLE = new ConsumerGroupListing("billing", "STABLE");
    private static final ConsumerGroupListing EMPTY = new ConsumerGroupListing("idle", "EMPTY");

    @Test
    void aBareStateKeepsEveryGroup() {
        GroupStateFilter all = GroupStateFilter.of(List.of(""));
        assertTrue(all.accepts(STABLE));
        assertTrue(all.accepts(EMPTY));
    }

    @Test
    void statesAreMatchedWithoutRegardToCase() {
        GroupStateFilter stable = GroupStateFilter.of(List.of("Stable", " reconciling "));
        assertTrue(stable.accepts(STABLE));
        assertFalse(stable.accepts(EMPTY));
    }

    @Test
    void anUnknownStateIsAUsageErrorNamingTheStates() {
        UsageException e = assertThrows(UsageException.class, () -> GroupStateFilter.of(List.of("stable", "Dead")));
        assertEquals(
                "--state: unknown group state 'Dead'; the states are EMPTY, ASSIGNING, RECONCILING, STABLE (any case)",
                e.getMessage());
    }

    @Test
    void theStatesAreThoseTheCoordinatorReports() {
        assertEquals(
                Arrays.stream(GroupState.values()).map(Enum::name).toList(),
                GroupStateFilter.STATES,
                "the broker sends GroupState.toString() as group_state");
    }
}
