package io.ferry.client.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sticky partitioning for records without a key (KIP-480): every such record of a topic goes to the
 * topic's current partition until a batch there completes, then the topic moves to another partition
 * chosen at random among those with a leader. Thread-safe; a move happens once even when several
 * threads see the same completed batch.
 */
public final class StickyPartitioner {

    private final ConcurrentMap<String, AtomicInteger> current = new ConcurrentHashMap<>();

    /** The topic's current sticky partition, choosing one on first use. */
    public int partition(String topic, ClusterView view, int numPartitions) {
        AtomicInteger sticky = current.get(topic);
        int now = sticky == null ? -1 : sticky.get();
        if (now >= 0 && now < numPartitions) {
            return now; // -1 while another thread makes the first choice
        }
        return next(topic, -1, view, numPartitions);
    }

    /** Moves the topic off {@code previous} (if it still sticks there) and returns the partition it sticks to. */
    public int next(String topic, int previous, ClusterView view, int numPartitions) {
        AtomicInteger sticky = current.computeIfAbsent(topic, t -> new AtomicInteger(-1));
        int now = sticky.get();
        if (now != previous && now >= 0 && now < numPartitions) {
            return now;
        }
        int chosen = choose(previous, view.availablePartitions(topic), numPartitions);
        return sticky.compareAndSet(now, chosen) ? chosen : sticky.get();
    }

    private static int choose(int previous, int[] available, int numPartitions) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (available.length == 0) {
            return numPartitions == 1 ? 0 : pickOther(previous, numPartitions, random);
        }
        if (available.length == 1) {
            return available[0];
        }
        int pick = available[random.nextInt(available.length)];
        if (pick == previous) {
            int index = random.nextInt(available.length - 1);
            pick = available[index] == previous ? available[available.length - 1] : available[index];
        }
        return pick;
    }

    private static int pickOther(int previous, int numPartitions, ThreadLocalRandom random) {
        int pick = random.nextInt(numPartitions);
        return pick == previous ? (pick + 1) % numPartitions : pick;
    }
}
