package io.ferry.replication.simulation;

import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.Partition;
import io.ferry.replication.simulation.PartitionHistory.Acknowledged;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One seeded run: a cluster drawn from the seed ({@link Scenario}) runs under faults for the chaos phase,
 * every invariant checked after every event. Then the faults stop and the run must make progress
 * ({@link Invariant#PROGRESS}), each step within {@value #STEP_MS} ms: with the network healed and every
 * broker restarted, every partition is led, every live replica is back in the ISR and an acks=all batch is
 * acknowledged; then, if the failure budget allows and a coin says so, one broker is killed for good and the
 * same must hold without it; then the producer stops and every live replica must reach the leader's log end,
 * with the leader's high watermark there. Last, every acknowledged batch not lost beyond the failure budget
 * must be in the leader's log below its high watermark, which is what a consumer reads.
 */
final class Simulation {

    /** The longest each step of the progress check may take. */
    private static final long STEP_MS = 20_000;

    /**
     * What a run found.
     *
     * @param violation null if every invariant held
     */
    record Outcome(
            long seed, Wiring wiring, InvariantViolation violation, long simulatedMs, long events, String trace) {

        boolean ok() {
            return violation == null;
        }

        @Override
        public String toString() {
            return "seed " + seed + (wiring == Wiring.FERRY ? "" : " with mutant " + wiring) + ": "
                    + (ok() ? "ok" : violation.getMessage()) + " (at " + simulatedMs + " ms, event " + events + ")";
        }
    }

    private final Scenario scenario;
    private final SimulatedCluster cluster;

    private Simulation(long seed, Wiring wiring, boolean traced) {
        this.scenario = Scenario.draw(seed);
        this.cluster = new SimulatedCluster(scenario, wiring, traced);
    }

    static Outcome run(long seed, Wiring wiring) {
        return run(seed, wiring, false);
    }

    /** @param traced keep the run's notable events for {@link Outcome#trace} */
    static Outcome run(long seed, Wiring wiring, boolean traced) {
        Simulation simulation = new Simulation(seed, wiring, traced);
        InvariantViolation violation = null;
        try {
            simulation.run();
        } catch (InvariantViolation v) {
            violation = v;
        }
        EventQueue events = simulation.cluster.events;
        return new Outcome(
                seed,
                wiring,
                violation,
                events.nowMs() - EventQueue.START_MS,
                events.eventsRun(),
                simulation.cluster.trace.toString());
    }

    private void run() {
        cluster.trace.note(scenario::toString);
        FaultInjector faults = new FaultInjector(cluster, scenario);
        cluster.start();
        faults.start();
        cluster.runUntil(cluster.events.nowMs() + scenario.chaosMs());
        faults.stop();
        cluster.trace.note(() -> "faults stop");
        cluster.network.heal();
        cluster.network.setConditions(new Network.Conditions(scenario.network().maxDelayMs(), 0, 0));
        for (int id : cluster.brokerIds()) {
            if (!cluster.broker(id).isUp()) {
                cluster.broker(id).start();
            }
        }
        awaitProgress("after the faults stopped and every broker restarted", false);
        if (scenario.failureBudget() > 0 && cluster.random.nextBoolean()) {
            SimulatedBroker killed = cluster.broker(cluster.brokerIds()
                    .get(cluster.random.nextInt(cluster.brokerIds().size())));
            killed.crash();
            awaitProgress("after broker " + killed.id + " was killed for good", false);
        }
        cluster.producer.stop();
        awaitProgress("after the producer stopped", true);
        for (TopicPartition tp : cluster.partitions()) {
            requireAcknowledgedBatchesReadable(tp);
        }
    }

    /**
     * Runs until every partition is led, every live replica is in its ISR and an acks=all batch was acknowledged
     * since now (or, {@code quiescent}, every live replica has the leader's log end and the leader's high
     * watermark is there), at most {@value #STEP_MS} ms.
     */
    private void awaitProgress(String when, boolean quiescent) {
        long since = cluster.events.eventsRun();
        long deadline = cluster.events.nowMs() + STEP_MS;
        List<String> problems = problems(since, quiescent);
        while (!problems.isEmpty() && cluster.events.nowMs() < deadline) {
            cluster.runUntil(cluster.events.nowMs() + 100);
            problems = problems(since, quiescent);
        }
        if (!problems.isEmpty()) {
            throw new InvariantViolation(
                    Invariant.PROGRESS, STEP_MS + " ms " + when + ": " + String.join("; ", problems));
        }
    }

    /** What keeps the partitions from having made progress since event {@code since}; empty once they have. */
    private List<String> problems(long since, boolean quiescent) {
        List<String> problems = new ArrayList<>();
        for (TopicPartition tp : cluster.partitions()) {
            LeaderAndIsr state = cluster.controller.state(tp);
            Optional<Partition> leader =
                    state.leader() == LeaderAndIsr.NO_LEADER ? Optional.empty() : cluster.partition(state.leader(), tp);
            if (leader.isEmpty() || !leader.get().isLeaderAt(state.leaderEpoch())) {
                problems.add(tp + " has no serving leader (controller: " + state + ")");
                continue;
            }
            long leaderEnd = cluster.log(state.leader(), tp).logEndOffset();
            if (quiescent && leader.get().highWatermark() != leaderEnd) {
                problems.add(tp + "'s leader " + state.leader() + " has the high watermark "
                        + leader.get().highWatermark() + " below its log end " + leaderEnd);
            }
            for (int id : cluster.brokerIds()) {
                long end = cluster.log(id, tp).logEndOffset();
                if (cluster.broker(id).isUp() && (!state.isr().contains(id) || (quiescent && end != leaderEnd))) {
                    problems.add("broker " + id + " has not caught up with " + tp + " (log end " + end + ", leader's "
                            + leaderEnd + ", ISR " + state.isr() + ")");
                }
            }
            if (!quiescent && cluster.checks(tp).history().lastAcknowledgedAt() < since) {
                problems.add("no acks=all batch of " + tp + " was acknowledged");
            }
        }
        return problems;
    }

    /** The end-to-end check: what a consumer reads from the leader holds every acknowledged batch not lost beyond the budget. */
    private void requireAcknowledgedBatchesReadable(TopicPartition tp) {
        PartitionHistory history = cluster.checks(tp).history();
        int leader = cluster.controller.state(tp).leader();
        long highWatermark = cluster.partition(leader, tp).orElseThrow().highWatermark();
        for (Acknowledged ack : history.allAcknowledged()) {
            boolean promised = history.failures(ack.batch().appendedAt, ack.at()) <= history.failureBudget;
            if (promised && (!cluster.holds(leader, tp, ack.batch()) || ack.batch().lastOffset >= highWatermark)) {
                throw new InvariantViolation(
                        Invariant.ACKNOWLEDGED_RECORDS_SURVIVE,
                        "the acknowledged " + ack.batch()
                                + " of " + tp + " is not below the high watermark " + highWatermark + " of its leader "
                                + leader
                                + " after the run, though at most " + history.failureBudget + " replicas failed since");
            }
        }
    }
}
