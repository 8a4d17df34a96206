package io.ferry.replication.simulation;

import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicationConfig;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Everything one simulation run is made of: the event queue, the network, the controller model, the
 * brokers, the producer and each partition's checks, all from one seed.
 *
 * <p>Not thread-safe: one run, one thread.
 */
final class SimulatedCluster implements Replicas {

    final EventQueue events = new EventQueue();
    final Random random;
    final Network network;
    final ReplicationConfig config;
    final int minInsyncReplicas;
    final Wiring wiring;
    final ControllerModel controller;
    final SimulatedProducer producer;
    final Trace trace;
    private final List<Integer> brokerIds = new ArrayList<>();
    private final Map<Integer, SimulatedBroker> brokers = new LinkedHashMap<>();
    private final Map<TopicPartition, PartitionChecks> checks = new LinkedHashMap<>();

    SimulatedCluster(Scenario scenario, Wiring wiring, boolean traced) {
        this.trace = new Trace(events, traced);
        this.random = new Random(scenario.seed());
        this.network = new Network(events, random, scenario.network());
        this.config = scenario.replication();
        this.minInsyncReplicas = scenario.minInsyncReplicas();
        this.wiring = wiring;
        for (int id = 1; id <= scenario.brokers(); id++) {
            brokerIds.add(id);
        }
        Map<TopicPartition, List<Integer>> assignment = new LinkedHashMap<>();
        for (int p = 0; p < scenario.partitions(); p++) {
            List<Integer> replicas = new ArrayList<>(brokerIds);
            Collections.rotate(replicas, -p);
            assignment.put(new TopicPartition("t", p), List.copyOf(replicas));
        }
        this.controller = new ControllerModel(
                events,
                network,
                wiring.controllerRules(),
                scenario.sessionTimeoutMs(),
                scenario.brokers(),
                assignment,
                trace);
        assignment.forEach((tp, replicas) -> checks.put(
                tp,
                new PartitionChecks(events, this, controller, new PartitionHistory(tp, replicas, minInsyncReplicas))));
        for (int id : brokerIds) {
            SimulatedBroker broker = new SimulatedBroker(id, this);
            brokers.put(id, broker);
            controller.subscribe(broker);
        }
        this.producer = new SimulatedProducer(this, scenario);
    }

    List<TopicPartition> partitions() {
        return List.copyOf(checks.keySet());
    }

    PartitionChecks checks(TopicPartition tp) {
        return checks.get(tp);
    }

    Iterable<PartitionChecks> allChecks() {
        return checks.values();
    }

    SimulatedBroker broker(int id) {
        return brokers.get(id);
    }

    @Override
    public List<Integer> brokerIds() {
        return brokerIds;
    }

    @Override
    public MemoryReplicaLog log(int broker, TopicPartition tp) {
        return brokers.get(broker).log(tp);
    }

    @Override
    public Optional<Partition> partition(int broker, TopicPartition tp) {
        return brokers.get(broker).partition(tp);
    }

    void start() {
        controller.start(random);
        brokers.values().forEach(SimulatedBroker::start);
        producer.start();
    }

    /** Runs events until {@code untilMs}, checking every partition's invariants after each one. */
    void runUntil(long untilMs) {
        while (events.runNext(untilMs)) {
            for (PartitionChecks c : checks.values()) {
                c.afterEvent();
            }
        }
    }
}
