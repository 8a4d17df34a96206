package io.ferry.node.internal.broker.group;

/**
 * The internal topic {@code __consumer_offsets}: where consumer groups keep their state and committed
 * offsets, as compacted records, and which partition of it holds a group's.
 */
public final class OffsetsTopic {

    public static final String NAME = "__consumer_offsets";

    private OffsetsTopic() {}

    /** Whether {@code topic} is the internal one, which clients may read but not write, create or delete. */
    public static boolean isInternal(String topic) {
        return NAME.equals(topic);
    }

    /**
     * The partition holding {@code groupId}'s records, whose leader coordinates the group: Kafka's rule
     * ({@code GroupCoordinatorService.partitionFor}, with {@code Utils.abs}, which maps
     * {@link Integer#MIN_VALUE} to 0), so a group id lands on the same partition number as in Kafka.
     */
    public static int partitionFor(String groupId, int partitionCount) {
        int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % partitionCount;
    }
}
