package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.PartitionAssignor;
import io.ferry.group.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kafka's uniform assignor, balanced and sticky, for members with the same or with different subscriptions.
 *
 * <p>Balanced means: no member could give one of its partitions to another member subscribed to that
 * partition's topic and end up with fewer partitions than the other (for any two members that could trade a
 * partition, their counts differ by at most one). When all members subscribe alike, counts differ by at
 * most one overall. With different subscriptions a chain of moves could sometimes even counts out further;
 * this assignor does not search for chains.
 *
 * <p>Sticky: a member keeps every partition of its current target that it may still own; partitions
 * nobody keeps go, the most constrained first, to the least loaded member that may own them; then, while
 * the assignment is not balanced, one partition moves from the most loaded member that can give one to a
 * member two or more partitions lighter, to the lightest such member. Each move narrows a gap of two or
 * more, so only moves balance needs are made: a member that leaves moves only its own partitions, one that
 * joins takes only its share.
 */
public final class UniformAssignor implements PartitionAssignor {

    public static final String NAME = "uniform";

    /** Orders members by load, then by id, so that every choice is deterministic. */
    private static Comparator<String> byLoad(Map<String, TreeSet<TopicPartition>> owned) {
        return Comparator.<String>comparingInt(m -> owned.get(m).size()).thenComparing(m -> m);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SortedMap<String, Assignment> assign(
            Map<String, Set<String>> subscriptions,
            Map<String, Assignment> currentTarget,
            Map<String, Integer> partitionCounts) {
        Subscriptions input = new Subscriptions(subscriptions, partitionCounts);
        Map<String, TreeSet<TopicPartition>> owned = new TreeMap<>();
        Set<TopicPartition> kept = keepCurrent(input, currentTarget, owned);
        assignUnowned(input, kept, owned);
        balance(input, owned);
        SortedMap<String, Assignment> result = new TreeMap<>();
        owned.forEach((member, partitions) -> result.put(member, Assignment.of(partitions)));
        return result;
    }

    /** Each member keeps what it may still own of its current target; the first member in id order wins. */
    private static Set<TopicPartition> keepCurrent(
            Subscriptions input, Map<String, Assignment> currentTarget, Map<String, TreeSet<TopicPartition>> owned) {
        Set<TopicPartition> kept = new TreeSet<>();
        for (String member : input.topicsByMember.keySet()) {
            TreeSet<TopicPartition> mine = new TreeSet<>();
            for (TopicPartition tp :
                    currentTarget.getOrDefault(member, Assignment.EMPTY).partitions()) {
                if (input.mayOwn(member, tp.topic(), tp.partition()) && kept.add(tp)) {
                    mine.add(tp);
                }
            }
            owned.put(member, mine);
        }
        return kept;
    }

    /**
     * Gives every partition nobody kept to the least loaded member that may own it, partitions of topics with
     * the fewest subscribers first: those have the fewest places to go.
     */
    private static void assignUnowned(
            Subscriptions input, Set<TopicPartition> kept, Map<String, TreeSet<TopicPartition>> owned) {
        List<String> topics = new ArrayList<>(input.membersByTopic.keySet());
        topics.sort(
                Comparator.<String>comparingInt(t -> input.membersByTopic.get(t).size())
                        .thenComparing(t -> t));
        Comparator<String> byLoad = byLoad(owned);
        for (String topic : topics) {
            List<String> candidates = input.membersByTopic.get(topic);
            for (int p = 0; p < input.partitionCounts.get(topic); p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                if (!kept.contains(tp)) {
                    String least = candidates.stream().min(byLoad).orElseThrow();
                    owned.get(least).add(tp);
                }
            }
        }
    }

    /**
     * Moves one partition at a time from the most loaded member that can give one to a member two or more
     * partitions lighter, to the lightest such member; members are kept ordered by load, so with identical
     * subscriptions each move is found at once.
     */
    private static void balance(Subscriptions input, Map<String, TreeSet<TopicPartition>> owned) {
        TreeSet<String> byLoad = new TreeSet<>(byLoad(owned));
        byLoad.addAll(owned.keySet());
        boolean moved = true;
        while (moved) {
            moved = false;
            search:
            for (String from : byLoad.descendingSet()) {
                for (String to : byLoad) {
                    if (owned.get(from).size() - owned.get(to).size() < 2) {
                        break; // nobody lighter is left for this member
                    }
                    TopicPartition tp = highestMovable(owned.get(from), input.topicsByMember.get(to));
                    if (tp != null) {
                        byLoad.remove(from);
                        byLoad.remove(to);
                        owned.get(from).remove(tp);
                        owned.get(to).add(tp);
                        byLoad.add(from);
                        byLoad.add(to);
                        moved = true;
                        break search;
                    }
                }
            }
        }
    }

    /** The highest of {@code partitions} whose topic is one of {@code topics}, or null. */
    private static TopicPartition highestMovable(TreeSet<TopicPartition> partitions, Set<String> topics) {
        for (TopicPartition tp : partitions.descendingSet()) {
            if (topics.contains(tp.topic())) {
                return tp;
            }
        }
        return null;
    }
}
