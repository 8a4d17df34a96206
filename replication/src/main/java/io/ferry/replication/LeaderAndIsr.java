package io.ferry.replication;

import java.util.List;

/**
 * A partition's replication state as the controller decided it.
 *
 * @param leader         the leader's broker id, -1 when the partition has none (offline)
 * @param leaderEpoch    bumped at every leader change
 * @param partitionEpoch bumped at every change of leader or ISR; the compare-and-set key of AlterPartition
 * @param replicas       broker ids of all replicas, the preferred leader first
 * @param isr            broker ids of the in-sync replicas
 */
public record LeaderAndIsr(int leader, int leaderEpoch, int partitionEpoch, List<Integer> replicas, List<Integer> isr) {

    public static final int NO_LEADER = -1;

    public LeaderAndIsr {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        if (leaderEpoch < 0 || partitionEpoch < 0) {
            throw new IllegalArgumentException(
                    "negative epoch: leader epoch " + leaderEpoch + ", partition epoch " + partitionEpoch);
        }
    }
}
