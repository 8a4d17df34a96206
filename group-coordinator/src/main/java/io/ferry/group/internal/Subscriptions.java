package io.ferry.group.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An assignor's view of its input: for each member the topics it may be given (subscribed and existing),
 * for each such topic its subscribers in member id order.
 */
final class Subscriptions {

    final SortedMap<String, Set<String>> topicsByMember = new TreeMap<>();
    final SortedMap<String, List<String>> membersByTopic = new TreeMap<>();
    final Map<String, Integer> partitionCounts;

    Subscriptions(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionCounts) {
        this.partitionCounts = Map.copyOf(partitionCounts);
        new TreeMap<>(subscriptions).forEach((member, topics) -> {
            TreeSet<String> existing = new TreeSet<>(topics);
            existing.retainAll(partitionCounts.keySet());
            topicsByMember.put(member, existing);
            existing.forEach(topic -> membersByTopic
                    .computeIfAbsent(topic, t -> new ArrayList<>())
                    .add(member));
        });
    }

    /** True when {@code member} subscribes to {@code topic} and the topic has {@code partition}. */
    boolean mayOwn(String member, String topic, int partition) {
        Set<String> topics = topicsByMember.get(member);
        return topics != null && topics.contains(topic) && partition >= 0 && partition < partitionCounts.get(topic);
    }
}
