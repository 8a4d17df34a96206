package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.record.KeyPartitioning;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses each published record's partition as the Java client does: the record's own partition if it names
 * one; murmur2 of its key if it has one ({@link KeyPartitioning}); else the topic's sticky partition (KIP-480).
 * A request's keyless records are one batch on the sticky partition, after which the topic moves to another
 * partition, chosen at random among those with a leader, as the client's {@code StickyPartitioner} moves when
 * a batch completes. Thread-safe: concurrent requests may share a sticky partition; a move happens once.
 */
final class RecordPartitioner {

    private final ConcurrentMap<String, AtomicInteger> sticky = new ConcurrentHashMap<>();

    /** The partition of each of the request's records, in request order; the topic must exist in {@code view}. */
    int[] partitions(PublishRequest request, BrokerMetadata view) {
        String topic = request.getTopic();
        int count = view.topics().get(topic).getPartitionCount();
        if (sticky.size() > view.topics().size()) {
            // Deleted topics' entries go, so the map never holds more than the view's topics.
            sticky.keySet().retainAll(view.topics().keySet());
        }
        int[] chosen = new int[request.getRecordsCount()];
        int keyless = -1;
        for (int i = 0; i < chosen.length; i++) {
            PublishRecord record = request.getRecords(i);
            if (record.hasPartition()) {
                chosen[i] = record.getPartition();
            } else if (record.hasKey()) {
                chosen[i] = KeyPartitioning.partitionForKey(record.getKey().toByteArray(), count);
            } else {
                if (keyless < 0) {
                    keyless = current(topic, view, count);
                }
                chosen[i] = keyless;
            }
        }
        if (keyless >= 0) {
            moveOff(topic, keyless, view, count);
        }
        return chosen;
    }

    private int current(String topic, BrokerMetadata view, int count) {
        AtomicInteger partition = sticky.computeIfAbsent(topic, t -> new AtomicInteger(-1));
        int now = partition.get();
        if (now >= 0 && now < count) {
            return now;
        }
        int first = choose(-1, view.partitionsOf(topic), count);
        return partition.compareAndSet(now, first) ? first : partition.get();
    }

    /** Moves the topic off {@code previous}, unless another request moved it already. */
    private void moveOff(String topic, int previous, BrokerMetadata view, int count) {
        sticky.get(topic).compareAndSet(previous, choose(previous, view.partitionsOf(topic), count));
    }

    /**
     * As the client's choice: a partition with a leader, another than {@code previous} when there are several;
     * any other partition when none has a leader.
     */
    private static int choose(int previous, List<PartitionRecord> partitions, int count) {
        int[] led = partitions.stream()
                .filter(p -> p.getLeader() >= 0 && p.getPartition() < count)
                .mapToInt(PartitionRecord::getPartition)
                .toArray();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (led.length == 1) {
            return led[0];
        }
        if (led.length > 1) {
            int[] others = Arrays.stream(led).filter(p -> p != previous).toArray();
            return others[random.nextInt(others.length)];
        }
        if (count == 1) {
            return 0;
        }
        int pick = random.nextInt(count);
        return pick == previous ? (pick + 1) % count : pick;
    }
}
