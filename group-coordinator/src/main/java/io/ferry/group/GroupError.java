package io.ferry.group;

/** The errors the coordinator answers, with Kafka's names. */
public enum GroupError {
    /** Accepted. */
    NONE,
    /** A field is malformed; the message names it. The client must not retry the same request. */
    INVALID_REQUEST,
    /** The member id is not in the group (it left, or was removed); the member rejoins with epoch 0. */
    UNKNOWN_MEMBER_ID,
    /**
     * The member epoch is not the one the coordinator knows: the member must give up every partition
     * and rejoin with epoch 0.
     */
    FENCED_MEMBER_EPOCH,
    /** An offset commit's member epoch is not one the member may commit with for that partition. */
    STALE_MEMBER_EPOCH,
    /** A static member joins with a group.instance.id another member still holds (it did not leave). */
    UNRELEASED_INSTANCE_ID,
    /** The group.instance.id now belongs to another member id: this one was replaced. */
    FENCED_INSTANCE_ID,
    /** The group already has group.consumer.max.size members. */
    GROUP_MAX_SIZE_REACHED,
    /** The group id is missing, empty, or longer than a group id may be. */
    INVALID_GROUP_ID,
    /** The coordinator has neither group state nor committed offsets for the group id. */
    GROUP_ID_NOT_FOUND,
    /** The group still has members: it cannot be deleted. */
    NON_EMPTY_GROUP,
    /** A commit's metadata is longer than offset.metadata.max.bytes. */
    OFFSET_METADATA_TOO_LARGE,
    /**
     * A commit's offset is negative. Kafka's client refuses one before sending it; this is Kafka's nearest
     * error for a commit that cannot be stored.
     */
    INVALID_COMMIT_OFFSET_SIZE,
    /** An offset of a topic some member of the group subscribes to cannot be deleted. */
    GROUP_SUBSCRIBED_TO_TOPIC,
    /** A classic member's generation is not its member epoch: it must rejoin (JoinGroup) for the current one. */
    ILLEGAL_GENERATION,
    /** A classic member must rejoin (JoinGroup) to move towards the group's new assignment. */
    REBALANCE_IN_PROGRESS
}
