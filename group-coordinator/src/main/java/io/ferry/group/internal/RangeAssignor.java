package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.PartitionAssignor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Kafka's range assignor: each topic's partitions are split into contiguous ranges, one per subscriber in
 * member id order, the first {@code partitions % subscribers} ranges one longer. Two topics with the same
 * partition count and the same subscribers are split alike, so a member gets the same partition numbers of
 * both (co-partitioned topics line up, as joins need). Not sticky: the layout depends only on the members
 * and the topics, which is its point.
 */
public final class RangeAssignor implements PartitionAssignor {

    public static final String NAME = "range";

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
        Map<String, Map<String, List<Integer>>> result = new TreeMap<>();
        input.topicsByMember.keySet().forEach(m -> result.put(m, new TreeMap<>()));
        input.membersByTopic.forEach((topic, members) -> {
            int partitions = partitionCounts.get(topic);
            int base = partitions / members.size();
            int longer = partitions % members.size();
            int start = 0;
            for (int i = 0; i < members.size(); i++) {
                int length = base + (i < longer ? 1 : 0);
                List<Integer> range = new ArrayList<>(length);
                for (int p = start; p < start + length; p++) {
                    range.add(p);
                }
                result.get(members.get(i)).put(topic, range);
                start += length;
            }
        });
        SortedMap<String, Assignment> assignment = new TreeMap<>();
        result.forEach((member, byTopic) -> assignment.put(member, Assignment.of(byTopic)));
        return assignment;
    }
}
