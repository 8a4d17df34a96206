package io.ferry.replication.simulation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Breaks things during the chaos phase, at random times: crashes a broker (never more than the failure
 * budget at once) and restarts it after 0.1 to 6 s, shorter or longer than the session timeout; cuts links
 * (a broker from everything, from the controller only, from the other brokers only, or the brokers into two
 * groups) and heals them after 0.2 to 5 s. The network's own delays, spikes and drops go on throughout.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class FaultInjector {

    private final SimulatedCluster cluster;
    private final Scenario scenario;
    private final Random random;
    private final long untilMs;
    private int down;
    private boolean stopped;

    FaultInjector(SimulatedCluster cluster, Scenario scenario) {
        this.cluster = cluster;
        this.scenario = scenario;
        this.random = cluster.random;
        this.untilMs = cluster.events.nowMs() + scenario.chaosMs();
    }

    void start() {
        if (scenario.crashEveryMs() > 0) {
            after(scenario.crashEveryMs(), this::crashOne);
        }
        if (scenario.partitionEveryMs() > 0) {
            after(scenario.partitionEveryMs(), this::cutLinks);
        }
    }

    /** Ends the chaos: no fault from now on, and brokers it crashed stay down for the caller to restart. */
    void stop() {
        stopped = true;
    }

    /** Runs {@code fault} at a random time around {@code meanMs} from now, if that is before the chaos ends. */
    private void after(long meanMs, Runnable fault) {
        long at = cluster.events.nowMs() + 1 + random.nextInt((int) (2 * meanMs));
        if (at < untilMs) {
            cluster.events.scheduleAt(at, () -> {
                if (!stopped) {
                    fault.run();
                }
            });
        }
    }

    private void crashOne() {
        List<Integer> up = new ArrayList<>();
        for (int id : cluster.brokerIds()) {
            if (cluster.broker(id).isUp()) {
                up.add(id);
            }
        }
        if (down < scenario.failureBudget() && !up.isEmpty()) {
            SimulatedBroker victim = cluster.broker(up.get(random.nextInt(up.size())));
            victim.crash();
            down++;
            cluster.events.schedule(100 + random.nextInt(5_900), () -> {
                if (!stopped) {
                    victim.start();
                    down--;
                }
            });
        }
        after(scenario.crashEveryMs(), this::crashOne);
    }

    private void cutLinks() {
        List<Integer> brokers = cluster.brokerIds();
        int victim = brokers.get(random.nextInt(brokers.size()));
        Network network = cluster.network;
        int kind = random.nextInt(4);
        cluster.trace.note(() -> "network: cut "
                + (kind == 0
                        ? "broker " + victim + " from everyone"
                        : kind == 1
                                ? "broker " + victim + " from the controller"
                                : kind == 2 ? "broker " + victim + " from the brokers" : "the brokers in two groups"));
        switch (kind) {
            case 0 -> {
                network.isolate(victim, brokers);
                network.isolate(victim, List.of(ControllerModel.NODE, cluster.producer.node()));
            }
            case 1 -> network.isolate(victim, List.of(ControllerModel.NODE));
            case 2 -> network.isolate(victim, brokers);
            default -> {
                List<Integer> shuffled = new ArrayList<>(brokers);
                Collections.shuffle(shuffled, random);
                List<Integer> group = shuffled.subList(0, 1 + random.nextInt(brokers.size() - 1));
                for (int b : group) {
                    network.isolate(b, shuffled.subList(group.size(), shuffled.size()));
                }
            }
        }
        cluster.events.schedule(200 + random.nextInt(4_800), () -> {
            if (!stopped) {
                cluster.trace.note(() -> "network: healed");
                network.heal();
            }
        });
        after(scenario.partitionEveryMs(), this::cutLinks);
    }
}
