package io.ferry.group.internal;

import io.ferry.group.GroupError;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.OffsetConfig;
import io.ferry.group.TopicPartition;
import java.nio.charset.StandardCharsets;

/**
 * The checks of an offset commit's fields, each of which came from a client, with the names Kafka answers
 * them with. Who may commit is {@link OffsetCommitFencing}'s question.
 */
public final class OffsetCommitChecks {

    private OffsetCommitChecks() {}

    /** A group id as heartbeats take it: not empty, at most {@link HeartbeatChecks#MAX_STRING_LENGTH} characters. */
    public static boolean validGroupId(String groupId) {
        return HeartbeatChecks.string("groupId", groupId, false) == null;
    }

    /** {@link GroupError#NONE}, or what is wrong with committing {@code offset} for {@code partition}. */
    public static GroupError check(TopicPartition partition, OffsetAndMetadata offset, OffsetConfig config) {
        if (offset == null
                || HeartbeatChecks.topicName("topic", partition.topic()) != null
                || partition.partition() < 0
                || offset.leaderEpoch() < -1) {
            return GroupError.INVALID_REQUEST;
        }
        if (offset.offset() < 0) {
            return GroupError.INVALID_COMMIT_OFFSET_SIZE;
        }
        if (offset.metadata().getBytes(StandardCharsets.UTF_8).length > config.metadataMaxBytes()) {
            return GroupError.OFFSET_METADATA_TOO_LARGE;
        }
        return GroupError.NONE;
    }
}
