package io.ferry.node.internal.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.GroupState;
import io.ferry.node.internal.broker.group.CoordinatedGroup;
import io.ferry.storage.TopicPartition;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The refresh loop with scripted groups and end offsets: no socket, no coordinator, no timer thread. */
class GroupLagMetricsTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final String LAG = "ferry_group_lag_records{group=\"billing\",partition=\"0\",topic=\"orders\"} ";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** End offset answers, completed by the test. */
    private final List<CompletableFuture<EndOffsets.Answer>> asked = new ArrayList<>();

    private final List<Set<TopicPartition>> askedFor = new ArrayList<>();
    private long committed = 4;
    private CompletableFuture<List<CoordinatedGroup>> nextGroups;

    private final GroupLagMetrics metrics = new GroupLagMetrics(
            new GroupLagGauges(registry),
            () -> nextGroups != null
                    ? nextGroups
                    : CompletableFuture.completedFuture(List.of(
                            new CoordinatedGroup("billing", GroupState.STABLE, 1, Map.of(ORDERS_0, committed)))),
            partitions -> {
                CompletableFuture<EndOffsets.Answer> answer = new CompletableFuture<>();
                asked.add(answer);
                askedFor.add(partitions);
                return answer;
            },
            InstantSource.fixed(Instant.EPOCH),
            60_000);

    private void assertScraped(String line) {
        String body = registry.scrape();
        assertTrue(body.contains(line + "\n"), "no " + line + " in\n" + body);
    }

    private static EndOffsets.Answer endOffset(long offset) {
        return new EndOffsets.Answer(Map.of(ORDERS_0, offset), List.of());
    }

    @Test
    void aRefreshAsksForTheCommittedPartitionsAndUpdatesTheGauges() {
        CompletableFuture<Void> refreshed = metrics.refresh();
        assertEquals(List.of(Set.of(ORDERS_0)), askedFor);
        assertFalse(refreshed.isDone());

        asked.get(0).complete(endOffset(10));
        assertTrue(refreshed.isDone());
        assertScraped(LAG + "6.0");
    }

    @Test
    void atMostOneRefreshRunsATickThatFindsOneRunningIsSkipped() {
        CompletableFuture<Void> first = metrics.refresh();
        assertTrue(metrics.refresh().isDone(), "skipped");
        assertEquals(1, asked.size());

        asked.get(0).complete(endOffset(10));
        first.join();
        metrics.refresh();
        assertEquals(2, asked.size(), "the next tick refreshes again");
    }

    @Test
    void aFailedOrAbandonedRefreshKeepsTheLastValuesAndTheNextOneRuns() {
        metrics.refresh();
        asked.get(0).complete(endOffset(10));
        assertScraped(LAG + "6.0");

        nextGroups = CompletableFuture.failedFuture(new IllegalStateException("coordinator gone"));
        metrics.refresh().join();
        assertScraped(LAG + "6.0");

        nextGroups = new CompletableFuture<>();
        GroupLagMetrics quick = new GroupLagMetrics(
                new GroupLagGauges(registry),
                () -> nextGroups,
                partitions -> new CompletableFuture<>(),
                InstantSource.fixed(Instant.EPOCH),
                1);
        quick.refresh().orTimeout(30, TimeUnit.SECONDS).join(); // abandoned after 1 ms, not after 30 s
        assertScraped(LAG + "6.0");

        nextGroups = null;
        committed = 8;
        CompletableFuture<Void> next = metrics.refresh();
        asked.get(1).complete(endOffset(10));
        next.join();
        assertScraped(LAG + "2.0");
    }

    @Test
    void partitionsWhoseEndOffsetIsUnknownKeepTheirLastLag() {
        metrics.refresh();
        asked.get(0).complete(endOffset(10));
        committed = 9;
        metrics.refresh();
        asked.get(1).complete(new EndOffsets.Answer(Map.of(), List.of("orders-0: led by broker 2: UNAVAILABLE")));
        assertScraped(LAG + "6.0");
    }

    @Test
    void closeRemovesTheGauges() {
        metrics.refresh();
        asked.get(0).complete(endOffset(10));
        metrics.close();
        assertEquals(List.of(), registry.getMeters());
    }
}
