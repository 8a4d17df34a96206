package io.ferry.group.internal;

import java.util.Optional;

/**
 * The types of record a coordinator writes to its {@code __consumer_offsets} partition, each with the key
 * version that starts its key, as Kafka numbers them (2, Kafka's classic GroupMetadata, is not used here).
 */
public enum RecordType {
    OFFSET_COMMIT(1, "OffsetCommit", false),
    GROUP_METADATA(3, "ConsumerGroupMetadata", false),
    PARTITION_METADATA(4, "ConsumerGroupPartitionMetadata", false),
    MEMBER_METADATA(5, "ConsumerGroupMemberMetadata", true),
    TARGET_ASSIGNMENT_METADATA(6, "ConsumerGroupTargetAssignmentMetadata", false),
    TARGET_ASSIGNMENT_MEMBER(7, "ConsumerGroupTargetAssignmentMember", true),
    CURRENT_MEMBER_ASSIGNMENT(8, "ConsumerGroupCurrentMemberAssignment", true);

    private final short keyVersion;
    private final String kafkaName;
    private final boolean perMember;

    RecordType(int keyVersion, String kafkaName, boolean perMember) {
        this.keyVersion = (short) keyVersion;
        this.kafkaName = kafkaName;
        this.perMember = perMember;
    }

    public short keyVersion() {
        return keyVersion;
    }

    /** Kafka's name of the record, which messages about it use. */
    public String kafkaName() {
        return kafkaName;
    }

    /** Whether the key names a member besides the group. */
    public boolean perMember() {
        return perMember;
    }

    public static Optional<RecordType> ofKeyVersion(short version) {
        for (RecordType type : values()) {
            if (type.keyVersion == version) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
