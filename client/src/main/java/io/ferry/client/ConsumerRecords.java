package io.ferry.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The records one {@link FerryConsumer#poll} returned, grouped by partition in offset order. Immutable. */
public final class ConsumerRecords implements Iterable<ConsumerRecord> {

    private static final ConsumerRecords EMPTY = new ConsumerRecords(Map.of());

    private final Map<TopicPartition, List<ConsumerRecord>> records;
    private final int count;

    ConsumerRecords(Map<TopicPartition, List<ConsumerRecord>> records) {
        Map<TopicPartition, List<ConsumerRecord>> copy = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<TopicPartition, List<ConsumerRecord>> e : records.entrySet()) {
            copy.put(e.getKey(), Collections.unmodifiableList(e.getValue()));
            n += e.getValue().size();
        }
        this.records = Collections.unmodifiableMap(copy);
        this.count = n;
    }

    public static ConsumerRecords empty() {
        return EMPTY;
    }

    public List<ConsumerRecord> records(TopicPartition tp) {
        return records.getOrDefault(tp, List.of());
    }

    public Set<TopicPartition> partitions() {
        return records.keySet();
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public Iterator<ConsumerRecord> iterator() {
        List<ConsumerRecord> all = new ArrayList<>(count);
        records.values().forEach(all::addAll);
        return all.iterator();
    }
}
