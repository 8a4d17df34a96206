package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Checks of a target assignment shared by the assignor and group tests. */
public final class AssignmentChecks {

    private AssignmentChecks() {}

    /**
     * Every partition of every subscribed topic is assigned exactly once, to a member subscribed to its topic,
     * and every member has an entry.
     */
    public static void complete(
            Map<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts,
            Map<String, Assignment> assignment) {
        assertEquals(subscriptions.keySet(), assignment.keySet(), "members of " + assignment);
        Map<TopicPartition, String> owner = new TreeMap<>();
        assignment.forEach((member, partitions) -> {
            for (TopicPartition tp : partitions.partitions()) {
                assertTrue(
                        subscriptions.get(member).contains(tp.topic()), member + " given " + tp + " in " + assignment);
                assertTrue(tp.partition() < partitionCounts.get(tp.topic()), tp + " does not exist: " + assignment);
                String other = owner.put(tp, member);
                assertEquals(null, other, tp + " assigned twice: " + assignment);
            }
        });
        subscriptions.values().stream()
                .flatMap(Set::stream)
                .distinct()
                .filter(partitionCounts::containsKey)
                .forEach(topic -> {
                    for (int p = 0; p < partitionCounts.get(topic); p++) {
                        assertTrue(
                                owner.containsKey(new TopicPartition(topic, p)),
                                topic + "-" + p + " unassigned: " + assignment);
                    }
                });
    }

    /**
     * No member could give one of its partitions to another member subscribed to the topic and still have
     * more than that member: counts of two members that could trade differ by at most one.
     */
    public static void balanced(Map<String, Set<String>> subscriptions, Map<String, Assignment> assignment) {
        assignment.forEach((from, partitions) -> {
            for (String topic : partitions.byTopic().keySet()) {
                subscriptions.forEach((to, topics) -> {
                    if (topics.contains(topic)) {
                        assertTrue(
                                partitions.size() - assignment.get(to).size() <= 1,
                                from + " could give a partition of " + topic + " to " + to + ": " + assignment);
                    }
                });
            }
        });
    }
}
