package io.ferry.controller.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Places the replicas of new partitions on live brokers so that replicas and leaderships spread
 * evenly, counting what each broker already holds. Pure and deterministic: ties go to the lower
 * broker id.
 */
public final class ReplicaPlacer {
    private ReplicaPlacer() {}

    /**
     * @param liveBrokers ids of the brokers that may receive replicas; at least {@code replicationFactor}
     * @param existing per broker id, {replicas held, leaderships held}; missing ids hold nothing
     * @return per partition, its replicas with the intended leader first
     */
    public static List<List<Integer>> place(
            List<Integer> liveBrokers, Map<Integer, int[]> existing, int partitionCount, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > liveBrokers.size()) {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                    + " needs at least that many of " + liveBrokers.size() + " live brokers");
        }
        Map<Integer, int[]> counts = new TreeMap<>();
        for (int b : liveBrokers) {
            int[] c = existing.get(b);
            counts.put(b, c == null ? new int[2] : c.clone());
        }
        List<List<Integer>> placement = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            int leader = pick(counts, replicas, true);
            replicas.add(leader);
            counts.get(leader)[1]++;
            counts.get(leader)[0]++;
            while (replicas.size() < replicationFactor) {
                int follower = pick(counts, replicas, false);
                replicas.add(follower);
                counts.get(follower)[0]++;
            }
            placement.add(List.copyOf(replicas));
        }
        return placement;
    }

    /** The broker not yet chosen with the fewest leaderships (for a leader) or replicas. */
    private static int pick(Map<Integer, int[]> counts, List<Integer> taken, boolean asLeader) {
        int best = -1;
        int[] bestCount = null;
        for (Map.Entry<Integer, int[]> e : counts.entrySet()) {
            if (taken.contains(e.getKey())) {
                continue;
            }
            int[] c = e.getValue();
            if (bestCount == null || less(c, bestCount, asLeader)) {
                best = e.getKey();
                bestCount = c;
            }
        }
        return best;
    }

    private static boolean less(int[] a, int[] b, boolean asLeader) {
        if (asLeader && a[1] != b[1]) {
            return a[1] < b[1];
        }
        return a[0] < b[0];
    }
}
