package io.ferry.group;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An OffsetCommit request's fields, as they came from the client.
 *
 * @param memberId the committing member; empty with {@code memberEpoch} -1 for a commit from outside the
 *     group (an admin tool, a consumer that assigns itself partitions)
 * @param offsets partition to what to commit, kept in partition order so that the records are written in a
 *     stable order; each {@link OffsetAndMetadata#commitTimestampMs()} is replaced by the coordinator's time
 *     of the commit
 */
public record OffsetCommitRequest(
        String groupId, String memberId, int memberEpoch, Map<TopicPartition, OffsetAndMetadata> offsets) {

    public OffsetCommitRequest {
        offsets = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(offsets, "offsets")));
    }

    /** A commit from outside the group: no member, epoch -1. */
    public static OffsetCommitRequest simple(String groupId, Map<TopicPartition, OffsetAndMetadata> offsets) {
        return new OffsetCommitRequest(groupId, "", -1, offsets);
    }
}
