package io.ferry.group;

import java.util.Objects;

/**
 * A committed offset of one partition.
 *
 * @param offset the next offset the group will consume; not negative
 * @param leaderEpoch the leader epoch of the record before {@code offset}, -1 when unknown
 * @param metadata what the client attached, at most {@code offset.metadata.max.bytes} in UTF-8
 * @param commitTimestampMs when the coordinator accepted the commit (its clock, not the client's)
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {

    public OffsetAndMetadata {
        Objects.requireNonNull(metadata, "metadata");
    }

    /** The same offset, committed at {@code timestampMs}. */
    public OffsetAndMetadata committedAt(long timestampMs) {
        return new OffsetAndMetadata(offset, leaderEpoch, metadata, timestampMs);
    }
}
