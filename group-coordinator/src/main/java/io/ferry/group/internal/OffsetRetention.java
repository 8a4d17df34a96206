package io.ferry.group.internal;

import io.ferry.group.ConsumerGroup;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which committed offsets of a group have outlived {@code offsets.retention.ms}. KIP-211: the offsets of a
 * group are kept while it has members and for the retention after it became empty; of a group the
 * coordinator has no state for (its offsets come from admin tools or consumers outside any group), for the
 * retention after their commit. Two refinements, as Kafka 4 has them for consumer groups: an offset committed
 * after the group became empty (an admin's reset) counts from its commit, so it is kept its full term; and
 * while the group has members, an offset of a topic no member subscribes to counts from its commit.
 */
public final class OffsetRetention {

    private OffsetRetention() {}

    /**
     * @param group the group as stored, empty when the coordinator has no ConsumerGroupMetadata record of it
     * @param emptySinceMs since when the group has had no member (KIP-211's base), when it has none
     */
    public static List<TopicPartition> expired(
            Map<TopicPartition, OffsetAndMetadata> offsets,
            Optional<ConsumerGroup> group,
            long emptySinceMs,
            long retentionMs,
            long nowMs) {
        return offsets.entrySet().stream()
                .filter(e -> retainedFrom(e.getKey(), e.getValue(), group, emptySinceMs).stream()
                        .anyMatch(base -> nowMs >= Reconciliation.saturatedSum(base, retentionMs)))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** When the retention of an offset starts; empty while the offset is in use. */
    private static OptionalLong retainedFrom(
            TopicPartition partition, OffsetAndMetadata offset, Optional<ConsumerGroup> group, long emptySinceMs) {
        long committed = offset.commitTimestampMs();
        if (group.isEmpty()) {
            return OptionalLong.of(committed);
        }
        if (group.get().members().isEmpty()) {
            return OptionalLong.of(Math.max(emptySinceMs, committed));
        }
        return group.get().isSubscribedTo(partition.topic()) ? OptionalLong.empty() : OptionalLong.of(committed);
    }
}
