package io.ferry.group;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A set of partitions, by topic name: what a member is assigned, what it must revoke, what it reports to
 * own. Immutable; a topic maps to a non-empty set, so two equal sets of partitions are equal assignments.
 */
public final class Assignment {

    public static final Assignment EMPTY = new Assignment(new TreeMap<>());

    private final SortedMap<String, SortedSet<Integer>> partitions;

    private Assignment(TreeMap<String, TreeSet<Integer>> partitions) {
        TreeMap<String, SortedSet<Integer>> frozen = new TreeMap<>();
        partitions.forEach((topic, ids) -> {
            if (!ids.isEmpty()) {
                frozen.put(topic, Collections.unmodifiableSortedSet(ids));
            }
        });
        this.partitions = Collections.unmodifiableSortedMap(frozen);
    }

    /** The assignment of the given partitions. */
    public static Assignment of(Collection<TopicPartition> partitions) {
        TreeMap<String, TreeSet<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
        }
        return new Assignment(byTopic);
    }

    /** The assignment of the given partition ids per topic. */
    public static Assignment of(Map<String, ? extends Collection<Integer>> partitions) {
        TreeMap<String, TreeSet<Integer>> byTopic = new TreeMap<>();
        partitions.forEach((topic, ids) -> byTopic.put(topic, new TreeSet<>(ids)));
        return new Assignment(byTopic);
    }

    /** Topic name to its partitions, both sorted; no topic maps to an empty set. */
    public SortedMap<String, SortedSet<Integer>> byTopic() {
        return partitions;
    }

    /** Every partition, sorted. */
    public NavigableSet<TopicPartition> partitions() {
        TreeSet<TopicPartition> all = new TreeSet<>();
        partitions.forEach((topic, ids) -> ids.forEach(id -> all.add(new TopicPartition(topic, id))));
        return all;
    }

    public boolean contains(TopicPartition tp) {
        SortedSet<Integer> ids = partitions.get(tp.topic());
        return ids != null && ids.contains(tp.partition());
    }

    public boolean isEmpty() {
        return partitions.isEmpty();
    }

    /** The number of partitions. */
    public int size() {
        return partitions.values().stream().mapToInt(SortedSet::size).sum();
    }

    public Assignment union(Assignment other) {
        TreeSet<TopicPartition> all = new TreeSet<>(partitions());
        all.addAll(other.partitions());
        return of(all);
    }

    public Assignment minus(Assignment other) {
        return filter(tp -> !other.contains(tp));
    }

    public Assignment intersect(Assignment other) {
        return filter(other::contains);
    }

    /** True when the two share no partition. */
    public boolean isDisjoint(Assignment other) {
        return intersect(other).isEmpty();
    }

    /** True when every partition of this one is in {@code other}. */
    public boolean isSubsetOf(Assignment other) {
        return minus(other).isEmpty();
    }

    public Assignment filter(Predicate<TopicPartition> keep) {
        return of(partitions().stream().filter(keep).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Assignment other && partitions.equals(other.partitions);
    }

    @Override
    public int hashCode() {
        return partitions.hashCode();
    }

    @Override
    public String toString() {
        return partitions.toString();
    }
}
