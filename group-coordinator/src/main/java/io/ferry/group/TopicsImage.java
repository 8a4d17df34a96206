package io.ferry.group;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cluster's topics as the coordinator's caller sees them: each topic's partition count, and the topic
 * names each subscribed regular expression matches. The caller resolves regular expressions (with an engine
 * safe against hostile patterns) so that this logic never runs a client's pattern.
 */
public record TopicsImage(SortedMap<String, Integer> partitionCounts, Map<String, Set<String>> regexMatches) {

    public TopicsImage {
        partitionCounts = Collections.unmodifiableSortedMap(new TreeMap<>(partitionCounts));
        regexMatches = Map.copyOf(regexMatches);
    }

    /** Topics by name and partition count, with no regular expression resolved. */
    public static TopicsImage of(Map<String, Integer> partitionCounts) {
        return new TopicsImage(new TreeMap<>(partitionCounts), Map.of());
    }

    /** The partition count of each of the given topics that exists. */
    public SortedMap<String, Integer> restrictedTo(Set<String> topics) {
        TreeMap<String, Integer> counts = new TreeMap<>(partitionCounts);
        counts.keySet().retainAll(topics);
        return counts;
    }
}
