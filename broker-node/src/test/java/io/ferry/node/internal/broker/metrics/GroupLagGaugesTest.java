package io.ferry.node.internal.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.GroupState;
import io.ferry.node.internal.broker.group.CoordinatedGroup;
import io.ferry.storage.TopicPartition;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupLagGaugesTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GroupLagGauges gauges = new GroupLagGauges(registry);

    private void assertScraped(String... lines) {
        String body = registry.scrape();
        for (String line : lines) {
            assertTrue(body.contains(line + "\n"), "no " + line + " in\n" + body);
        }
    }

    private static CoordinatedGroup group(
            String id, GroupState state, int members, Map<TopicPartition, Long> committed) {
        return new CoordinatedGroup(id, state, members, committed);
    }

    @Test
    void lagIsTheEndOffsetPastTheCommittedOneAndNeverNegative() {
        assertEquals(6, GroupLagGauges.lag(10, 4));
        assertEquals(0, GroupLagGauges.lag(10, 10));
        assertEquals(0, GroupLagGauges.lag(3, 10), "a commit beyond the end (truncated log) is no lag");
    }

    @Test
    void eachCommittedPartitionHasALagSeriesAndEachGroupItsMembersAndState() {
        gauges.update(
                List.of(group("billing", GroupState.STABLE, 2, Map.of(ORDERS_0, 4L, ORDERS_1, 20L))),
                Map.of(ORDERS_0, 10L, ORDERS_1, 15L));

        assertScraped(
                "ferry_group_lag_records{group=\"billing\",partition=\"0\",topic=\"orders\"} 6.0",
                "ferry_group_lag_records{group=\"billing\",partition=\"1\",topic=\"orders\"} 0.0",
                "ferry_group_members{group=\"billing\"} 2.0",
                "ferry_group_state{group=\"billing\",state=\"Stable\"} 1.0",
                "ferry_group_state{group=\"billing\",state=\"Empty\"} 0.0",
                "ferry_group_state{group=\"billing\",state=\"Assigning\"} 0.0",
                "ferry_group_state{group=\"billing\",state=\"Reconciling\"} 0.0");

        gauges.update(
                List.of(group("billing", GroupState.RECONCILING, 3, Map.of(ORDERS_0, 9L, ORDERS_1, 20L))),
                Map.of(ORDERS_0, 12L, ORDERS_1, 25L));
        assertScraped(
                "ferry_group_lag_records{group=\"billing\",partition=\"0\",topic=\"orders\"} 3.0",
                "ferry_group_lag_records{group=\"billing\",partition=\"1\",topic=\"orders\"} 5.0",
                "ferry_group_members{group=\"billing\"} 3.0",
                "ferry_group_state{group=\"billing\",state=\"Stable\"} 0.0",
                "ferry_group_state{group=\"billing\",state=\"Reconciling\"} 1.0");
    }

    @Test
    void anUnknownEndOffsetKeepsTheLastLagAndExportsNoneBeforeTheFirst() {
        gauges.update(List.of(group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L))), Map.of(ORDERS_0, 10L));
        gauges.update(List.of(group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L, ORDERS_1, 1L))), Map.of());

        assertScraped("ferry_group_lag_records{group=\"billing\",partition=\"0\",topic=\"orders\"} 6.0");
        assertFalse(registry.scrape().contains("partition=\"1\""), "orders-1's end offset was never known");
    }

    @Test
    void theSeriesOfGroupsAndOffsetsThatAreGoneAreRemoved() {
        gauges.update(
                List.of(
                        group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L, ORDERS_1, 1L)),
                        group("audit", GroupState.STABLE, 1, Map.of(ORDERS_0, 2L))),
                Map.of(ORDERS_0, 10L, ORDERS_1, 5L));

        // billing's orders-1 offset expired; audit was deleted, or its coordinator moved to another broker.
        gauges.update(
                List.of(group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L))),
                Map.of(ORDERS_0, 10L, ORDERS_1, 5L));

        String body = registry.scrape();
        assertTrue(body.contains("group=\"billing\",partition=\"0\""), body);
        assertFalse(body.contains("group=\"billing\",partition=\"1\""), body);
        assertFalse(body.contains("group=\"audit\""), body);

        gauges.update(List.of(), Map.of());
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void closeRemovesEverySeriesAndLaterUpdatesAddNone() {
        gauges.update(List.of(group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L))), Map.of(ORDERS_0, 10L));
        gauges.close();
        assertEquals(List.of(), registry.getMeters());

        gauges.update(List.of(group("billing", GroupState.EMPTY, 0, Map.of(ORDERS_0, 4L))), Map.of(ORDERS_0, 10L));
        assertEquals(List.of(), registry.getMeters());
    }
}
