package io.ferry.replication.simulation;

import java.util.Collection;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Messages between simulated nodes (the controller, the brokers, the client). Each message is delivered
 * after its own random delay, so messages overtake each other; some are dropped; a cut link drops what is
 * sent over it and what is still on the way when it is cut. A message is delivered only to the incarnation
 * of the node it was sent to: one that crashed meanwhile never sees it, and neither does its successor.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class Network {

    /**
     * How unreliable the network is.
     *
     * @param maxDelayMs     a message takes 1 to this many milliseconds
     * @param spikeRate      the share of messages that take 100 to 1,000 ms more
     * @param dropRate       the share of messages lost
     */
    record Conditions(int maxDelayMs, double spikeRate, double dropRate) {
        static final Conditions PERFECT = new Conditions(1, 0, 0);
    }

    private final EventQueue events;
    private final Random random;
    private Conditions conditions;
    /** Cut links, as {@link #link} keys; both directions are cut together. */
    private final Set<Long> cut = new HashSet<>();

    Network(EventQueue events, Random random, Conditions conditions) {
        this.events = events;
        this.random = random;
        this.conditions = conditions;
    }

    void setConditions(Conditions conditions) {
        this.conditions = conditions;
    }

    /**
     * Sends {@code delivery} from node {@code from} to node {@code to}, whose current incarnation is
     * {@code receiver}.
     */
    void send(int from, int to, Lifetime receiver, Runnable delivery) {
        if (isCut(from, to) || random.nextDouble() < conditions.dropRate()) {
            return;
        }
        long delay = 1 + random.nextInt(conditions.maxDelayMs());
        if (random.nextDouble() < conditions.spikeRate()) {
            delay += 100 + random.nextInt(901);
        }
        events.schedule(delay, receiver.bind(() -> {
            if (!isCut(from, to)) {
                delivery.run();
            }
        }));
    }

    /** Cuts every link between {@code node} and each of {@code others}. */
    void isolate(int node, Collection<Integer> others) {
        for (int other : others) {
            if (other != node) {
                cut.add(link(node, other));
            }
        }
    }

    /** Restores every link. */
    void heal() {
        cut.clear();
    }

    boolean isCut(int a, int b) {
        return cut.contains(link(a, b));
    }

    private static long link(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }
}
