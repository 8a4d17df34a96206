package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaPlacerTest {
    @Test
    void spreadsReplicasAndLeadersEvenly() {
        List<List<Integer>> placement = ReplicaPlacer.place(List.of(1, 2, 3), Map.of(), 6, 3);
        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        for (List<Integer> p : placement) {
            assertEquals(3, new HashSet<>(p).size());
            leaders.merge(p.get(0), 1, Integer::sum);
            p.forEach(r -> replicas.merge(r, 1, Integer::sum));
        }
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leaders);
        assertEquals(Map.of(1, 6, 2, 6, 3, 6), replicas);
    }

    @Test
    void countsWhatBrokersAlreadyHold() {
        // Broker 1 already leads 3 partitions: the new ones go to 2 and 3 first.
        List<List<Integer>> placement = ReplicaPlacer.place(List.of(1, 2, 3), Map.of(1, new int[] {3, 3}), 2, 1);
        assertEquals(List.of(List.of(2), List.of(3)), placement);
    }

    @Test
    void refusesMoreReplicasThanLiveBrokers() {
        assertThrows(IllegalArgumentException.class, () -> ReplicaPlacer.place(List.of(1, 2), Map.of(), 1, 3));
    }
}
