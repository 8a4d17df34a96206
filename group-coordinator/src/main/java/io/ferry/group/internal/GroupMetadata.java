package io.ferry.group.internal;

/**
 * What a ConsumerGroupMetadata record holds: the group epoch, and since when the group has had no member
 * (KIP-211: its offsets are kept for offsets.retention.ms from then).
 *
 * @param emptySinceMs when the last member left, {@link #NOT_EMPTY} while the group has members
 */
public record GroupMetadata(int groupEpoch, long emptySinceMs) {

    public static final long NOT_EMPTY = -1;
}
