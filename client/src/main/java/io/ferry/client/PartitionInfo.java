package io.ferry.client;

import java.util.List;

/**
 * A partition as the cluster metadata describes it.
 *
 * @param leader      broker id of the leader, -1 when the partition is offline
 * @param leaderEpoch bumped at every leader change
 * @param replicas    broker ids; the first is the preferred leader
 * @param isr         broker ids of the in-sync replicas
 */
public record PartitionInfo(
        String topic, int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {}
