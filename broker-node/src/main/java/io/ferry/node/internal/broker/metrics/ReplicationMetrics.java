package io.ferry.node.internal.broker.metrics;

import io.ferry.replication.ReplicationListener;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of replication events on this broker (Prometheus names in brackets):
 * {@code ferry.broker.leader.elections} [{@code ferry_broker_leader_elections_total}]: times this broker
 * became a partition's leader; {@code ferry.broker.isr.shrinks} / {@code .expands}
 * [{@code ferry_broker_isr_shrinks_total}, {@code ferry_broker_isr_expands_total}]: ISR changes the
 * controller accepted from this broker as leader. Thread-safe.
 */
public final class ReplicationMetrics implements ReplicationListener {

    private final MeterRegistry registry;
    private final Counter leaderElections;
    private final Counter isrShrinks;
    private final Counter isrExpands;

    public ReplicationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.leaderElections = Counter.builder("ferry.broker.leader.elections")
                .description("Times this broker became the leader of a partition")
                .register(registry);
        this.isrShrinks = Counter.builder("ferry.broker.isr.shrinks")
                .description("ISR shrinks (lagging followers removed) made by this broker as leader")
                .register(registry);
        this.isrExpands = Counter.builder("ferry.broker.isr.expands")
                .description("ISR expansions (caught-up followers added) made by this broker as leader")
                .register(registry);
    }

    @Override
    public void leaderElected(TopicPartition tp) {
        leaderElections.increment();
    }

    @Override
    public void isrShrunk(TopicPartition tp) {
        isrShrinks.increment();
    }

    @Override
    public void isrExpanded(TopicPartition tp) {
        isrExpands.increment();
    }

    public void close() {
        registry.remove(leaderElections);
        registry.remove(isrShrinks);
        registry.remove(isrExpands);
    }
}
