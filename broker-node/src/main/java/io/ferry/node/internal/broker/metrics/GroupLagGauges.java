package io.ferry.node.internal.broker.metrics;

import io.ferry.group.GroupState;
import io.ferry.node.internal.broker.group.CoordinatedGroup;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The consumer group gauges of the groups this broker's coordinators hold (Prometheus names in brackets):
 * <ul>
 *   <li>{@code ferry.group.lag} per {@code group}, {@code topic}, {@code partition}
 *       [{@code ferry_group_lag_records}]: the partition's end offset minus the group's committed offset,
 *       never negative, for each partition the group has committed an offset for;
 *   <li>{@code ferry.group.members} per {@code group} [{@code ferry_group_members}];
 *   <li>{@code ferry.group.state} per {@code group} and {@code state} [{@code ferry_group_state}]: 1 for the
 *       group's state now, 0 for the others; states by Kafka's names ({@code Empty}, {@code Assigning},
 *       {@code Reconciling}, {@code Stable}).
 * </ul>
 * {@link #update} makes the series match what the coordinators hold: the series of a group or partition
 * that is gone (deleted, expired, its coordinator moved to another broker) are removed. A lag whose end
 * offset is not known this time keeps its last value; one never known is not exported yet.
 *
 * <p>Thread-safe: updates are serialized; scrapes read volatile values.
 */
public final class GroupLagGauges {

    private record LagKey(String group, TopicPartition tp) {}

    /** What a lag gauge reads; held here, since a gauge keeps only a weak reference to it. */
    private static final class Lag {
        private final Meter meter;
        private volatile long records;

        Lag(MeterRegistry registry, LagKey key) {
            this.meter = Gauge.builder("ferry.group.lag", this, l -> l.records)
                    .description("Records of the partition past the group's committed offset (end offset minus it)")
                    .tag("group", key.group())
                    .tag("topic", key.tp().topic())
                    .tag("partition", Integer.toString(key.tp().partition()))
                    .baseUnit("records")
                    .register(registry);
        }
    }

    /** What a group's member and state gauges read. */
    private static final class GroupGauges {
        private final List<Meter> meters = new ArrayList<>();
        private volatile int members;
        private volatile GroupState state;

        GroupGauges(MeterRegistry registry, String group) {
            meters.add(Gauge.builder("ferry.group.members", this, g -> g.members)
                    .description("Members of the consumer group")
                    .tag("group", group)
                    .register(registry));
            for (GroupState s : GroupState.values()) {
                meters.add(Gauge.builder("ferry.group.state", this, g -> g.state == s ? 1 : 0)
                        .description("1 for the consumer group's state now, 0 for the others")
                        .tag("group", group)
                        .tag("state", stateName(s))
                        .register(registry));
            }
        }
    }

    private final MeterRegistry registry;
    private final Map<LagKey, Lag> lags = new HashMap<>();
    private final Map<String, GroupGauges> groups = new HashMap<>();
    private boolean closed;

    public GroupLagGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A state as Kafka's tools print it: {@code Stable}, not {@code STABLE}. */
    static String stateName(GroupState state) {
        String name = state.name();
        return name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
    }

    /** Records of {@code endOffset} past {@code committed}; 0 when the committed offset is beyond it. */
    static long lag(long endOffset, long committed) {
        return Math.max(0, endOffset - committed);
    }

    /**
     * Makes the series those of {@code current}, the groups the coordinators of this broker hold now.
     *
     * @param endOffsets the end offset of each partition, where known
     */
    public synchronized void update(List<CoordinatedGroup> current, Map<TopicPartition, Long> endOffsets) {
        if (closed) {
            return;
        }
        Set<String> liveGroups = new HashSet<>();
        Set<LagKey> liveLags = new HashSet<>();
        for (CoordinatedGroup group : current) {
            liveGroups.add(group.groupId());
            GroupGauges gauges = groups.computeIfAbsent(group.groupId(), id -> new GroupGauges(registry, id));
            gauges.members = group.members();
            gauges.state = group.state();
            group.committed().forEach((tp, committed) -> {
                LagKey key = new LagKey(group.groupId(), tp);
                Long end = endOffsets.get(tp);
                Lag lag = end == null ? lags.get(key) : lags.computeIfAbsent(key, k -> new Lag(registry, k));
                if (lag != null) {
                    liveLags.add(key);
                    if (end != null) {
                        lag.records = lag(end, committed);
                    }
                }
            });
        }
        lags.entrySet().removeIf(e -> !liveLags.contains(e.getKey()) && remove(List.of(e.getValue().meter)));
        groups.entrySet().removeIf(e -> !liveGroups.contains(e.getKey()) && remove(e.getValue().meters));
    }

    private boolean remove(List<Meter> meters) {
        meters.forEach(registry::remove);
        return true;
    }

    /** Removes every series; later updates do nothing. */
    public synchronized void close() {
        update(List.of(), Map.of());
        closed = true;
    }
}
