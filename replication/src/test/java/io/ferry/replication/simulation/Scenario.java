package io.ferry.replication.simulation;

import io.ferry.replication.ReplicationConfig;
import java.util.Random;

/**
 * The shape of one run, drawn from its seed: cluster size and min.insync.replicas, partitions, how bad the
 * network is, how often brokers crash and links are cut, how fast the client produces.
 *
 * <p>Replication factors and min.insync.replicas are drawn so that RF - min.insync.replicas is at most
 * min.insync.replicas - 1: an acknowledged batch is on min.insync.replicas replicas, so that many failures
 * could lose it, and the promise "no loss while at most RF - min.insync.replicas replicas fail" needs
 * RF - min.insync.replicas below min.insync.replicas (3/2, 4/3, 5/3, 5/4).
 *
 * @param crashEveryMs     mean time between broker crashes, 0 for none
 * @param partitionEveryMs mean time between cuts of network links, 0 for none
 * @param produceEveryMs   mean time between two batches of the client
 */
record Scenario(
        long seed,
        int brokers,
        int minInsyncReplicas,
        int partitions,
        Network.Conditions network,
        ReplicationConfig replication,
        long sessionTimeoutMs,
        long crashEveryMs,
        long partitionEveryMs,
        long produceEveryMs,
        long produceTimeoutMs,
        long chaosMs) {

    private static final int[][] SIZES = {{3, 2}, {3, 2}, {4, 3}, {5, 3}, {5, 4}};

    static Scenario draw(long seed) {
        Random random = new Random(seed);
        int[] size = SIZES[random.nextInt(SIZES.length)];
        Network.Conditions network = new Network.Conditions(
                pick(random, 2, 10, 30), pick(random, 0.0, 0.005, 0.02), pick(random, 0.0, 0.01, 0.05));
        ReplicationConfig replication =
                new ReplicationConfig(1_000, 200, 1, 1 << 20, random.nextBoolean() ? 1 << 20 : 1 << 10, 100, 1_000);
        return new Scenario(
                seed,
                size[0],
                size[1],
                1 + random.nextInt(2),
                network,
                replication,
                2_000,
                pick(random, 0L, 3_000L, 8_000L),
                pick(random, 0L, 2_000L, 5_000L),
                pick(random, 20L, 50L, 100L),
                3_000,
                15_000);
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** How many brokers may be down at once while the promise still holds. */
    int failureBudget() {
        return brokers - minInsyncReplicas;
    }
}
