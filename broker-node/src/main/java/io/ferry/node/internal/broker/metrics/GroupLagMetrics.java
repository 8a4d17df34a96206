package io.ferry.node.internal.broker.metrics;

import io.ferry.node.internal.broker.group.CoordinatedGroup;
import io.ferry.storage.TopicPartition;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the consumer group gauges ({@link GroupLagGauges}) current: every {@code group.lag.refresh.interval.ms}
 * it reads the groups this broker's coordinators hold, asks for the end offsets of the partitions they
 * committed offsets for ({@link EndOffsets}: the local high watermark, or ListOffsets to the leader), and
 * updates the gauges. Kafka leaves this to an external exporter; here the coordinator has the offsets.
 *
 * <p>Bounded: at most one refresh runs (a tick that finds one running is skipped), and one that takes longer
 * than its timeout is abandoned, the gauges keeping their last values. Failures are logged at most once per
 * {@link #WARN_INTERVAL_MILLIS}; none ends the refreshes.
 *
 * <p>Thread-safe: ticks run on the timer, refreshes complete on whichever thread answers last.
 */
public final class GroupLagMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupLagMetrics.class);

    /** Least time between two warnings about failed refreshes. */
    static final long WARN_INTERVAL_MILLIS = 60_000;

    /** One refresh's result: the groups, and the end offsets of their partitions. */
    private record Refresh(List<CoordinatedGroup> groups, EndOffsets.Answer endOffsets) {}

    private final GroupLagGauges gauges;
    private final Supplier<CompletableFuture<List<CoordinatedGroup>>> groups;
    private final EndOffsets endOffsets;
    private final InstantSource clock;
    private final long timeoutMs;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private long lastWarningMs = Long.MIN_VALUE;
    private int warningsHeld;
    private volatile ScheduledFuture<?> ticks;

    /**
     * @param groups     the groups this broker's coordinators hold now
     * @param timeoutMs  how long one refresh may take before it is abandoned
     */
    public GroupLagMetrics(
            GroupLagGauges gauges,
            Supplier<CompletableFuture<List<CoordinatedGroup>>> groups,
            EndOffsets endOffsets,
            InstantSource clock,
            long timeoutMs) {
        this.gauges = gauges;
        this.groups = groups;
        this.endOffsets = endOffsets;
        this.clock = clock;
        this.timeoutMs = timeoutMs;
    }

    /** Refreshes every {@code intervalMs} on {@code timer}, the first time at once. */
    public void start(ScheduledExecutorService timer, long intervalMs) {
        ticks = timer.scheduleWithFixedDelay(this::refresh, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a refresh, unless one is running.
     *
     * @return when it ends (the gauges updated, or left as they were after a failure); an already
     *     completed future when one was running
     */
    CompletableFuture<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Refresh> refresh;
        try {
            refresh = groups.get()
                    .thenCompose(current ->
                            endOffsets.latest(partitionsOf(current)).thenApply(answer -> new Refresh(current, answer)))
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            refresh = CompletableFuture.failedFuture(e);
        }
        return refresh.handle((done, failure) -> {
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    warn("Refreshing the consumer group metrics failed; they keep their last values: {}", cause);
                } else {
                    gauges.update(done.groups(), done.endOffsets().offsets());
                    if (!done.endOffsets().failures().isEmpty()) {
                        warn(
                                "Consumer lag of some partitions is not current (their end offsets are unknown): {}",
                                done.endOffsets().failures());
                    }
                }
            } catch (RuntimeException e) {
                warn("Updating the consumer group metrics failed: {}", e);
            } finally {
                refreshing.set(false);
            }
            return null;
        });
    }

    private static Set<TopicPartition> partitionsOf(List<CoordinatedGroup> groups) {
        Set<TopicPartition> partitions = new HashSet<>();
        groups.forEach(g -> partitions.addAll(g.committed().keySet()));
        return partitions;
    }

    private synchronized void warn(String message, Object detail) {
        long now = clock.millis();
        if (lastWarningMs != Long.MIN_VALUE && now - lastWarningMs < WARN_INTERVAL_MILLIS) {
            warningsHeld++;
            return;
        }
        lastWarningMs = now;
        if (warningsHeld > 0) {
            log.warn(message + " ({} more since the last such warning)", detail, warningsHeld);
        } else {
            log.warn(message, detail);
        }
        warningsHeld = 0;
    }

    /** Stops the refreshes and removes the gauges. */
    @Override
    public void close() {
        ScheduledFuture<?> scheduled = ticks;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        gauges.close();
    }
}
