package io.ferry.group;

import io.ferry.group.internal.RangeAssignor;
import io.ferry.group.internal.UniformAssignor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * A server-side assignor (KIP-848): computes a group's target assignment. Implementations are pure and
 * deterministic: the same input gives the same output, so every replica of the coordinator agrees.
 */
public interface PartitionAssignor {

    /** The name a group is configured with, as Kafka's: {@code uniform} or {@code range}. */
    String name();

    /**
     * The new target assignment.
     *
     * @param subscriptions member id to the topic names it subscribes to (regular expressions already
     *     resolved); a name that is not in {@code partitionCounts} is ignored
     * @param currentTarget the current target assignment, which a sticky assignor changes as little as it can;
     *     partitions of it that no longer exist or are no longer subscribed are ignored
     * @param partitionCounts each topic's partition count
     * @return member id to its partitions, for every member of {@code subscriptions}
     */
    SortedMap<String, Assignment> assign(
            Map<String, Set<String>> subscriptions,
            Map<String, Assignment> currentTarget,
            Map<String, Integer> partitionCounts);

    /** Balanced and sticky: moves as few partitions as balance needs; members may subscribe differently. */
    static PartitionAssignor uniform() {
        return new UniformAssignor();
    }

    /** Per topic, contiguous ranges of partitions in member id order, so co-partitioned topics line up. */
    static PartitionAssignor range() {
        return new RangeAssignor();
    }

    /** The assignor of the given name. */
    static Optional<PartitionAssignor> byName(String name) {
        return switch (name) {
            case UniformAssignor.NAME -> Optional.of(uniform());
            case RangeAssignor.NAME -> Optional.of(range());
            default -> Optional.empty();
        };
    }
}
