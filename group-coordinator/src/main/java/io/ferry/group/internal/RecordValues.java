package io.ferry.group.internal;

import io.ferry.group.Assignment;
import io.ferry.group.GroupMember;
import io.ferry.group.MemberState;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.TopicPartition;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The value of each {@link RecordType}, version {@link RecordWriter#VALUE_VERSION}: encoded, and decoded with
 * every field checked (docs/group-coordinator.md, "Records", lists the layouts). A decoder throws
 * {@link io.ferry.group.MalformedGroupRecordException} naming the record and the field.
 */
public final class RecordValues {

    /** A string's length, the smallest element a count can count. */
    private static final int MIN_STRING_BYTES = 2;

    private static final MemberState[] STATES = MemberState.values();

    private RecordValues() {}

    public static byte[] encodeOffsetCommit(OffsetAndMetadata offset) {
        return RecordWriter.value()
                .putLong(offset.offset())
                .putInt(offset.leaderEpoch())
                .putString(offset.metadata())
                .putLong(offset.commitTimestampMs())
                .toBytes();
    }

    public static OffsetAndMetadata decodeOffsetCommit(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.OFFSET_COMMIT, value);
        long offset = in.readLong("offset");
        if (offset < 0) {
            throw in.malformed("offset is negative: " + offset);
        }
        int leaderEpoch = in.readInt("leaderEpoch");
        if (leaderEpoch < -1) {
            throw in.malformed("leaderEpoch " + leaderEpoch + " is below -1 (unknown)");
        }
        OffsetAndMetadata decoded =
                new OffsetAndMetadata(offset, leaderEpoch, in.readString("metadata"), in.readLong("commitTimestampMs"));
        in.end();
        return decoded;
    }

    public static byte[] encodeGroupMetadata(GroupMetadata metadata) {
        return RecordWriter.value()
                .putInt(metadata.groupEpoch())
                .putLong(metadata.emptySinceMs())
                .toBytes();
    }

    public static GroupMetadata decodeGroupMetadata(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.GROUP_METADATA, value);
        int epoch = in.readNonNegativeInt("groupEpoch");
        long emptySince = in.readLong("emptySinceMs");
        if (emptySince < GroupMetadata.NOT_EMPTY) {
            throw in.malformed("emptySinceMs " + emptySince + " is below " + GroupMetadata.NOT_EMPTY + " (not empty)");
        }
        in.end();
        return new GroupMetadata(epoch, emptySince);
    }

    public static byte[] encodePartitionMetadata(Map<String, Integer> partitionCounts) {
        RecordWriter out = RecordWriter.value().putInt(partitionCounts.size());
        partitionCounts.forEach((topic, count) -> out.putString(topic).putInt(count));
        return out.toBytes();
    }

    public static SortedMap<String, Integer> decodePartitionMetadata(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.PARTITION_METADATA, value);
        int topics = in.readCount("topics", MIN_STRING_BYTES + 4);
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            String topic = topic(in);
            if (counts.put(topic, in.readNonNegativeInt("partition count of " + topic)) != null) {
                throw in.malformed("topic " + topic + " listed twice");
            }
        }
        in.end();
        return counts;
    }

    /**
     * Version 1 adds a classic member's session timeout at the end; a KIP-848 member's value stays version 0, as
     * a coordinator without classic members wrote it.
     */
    private static final short MEMBER_METADATA_CLASSIC_VERSION = 1;

    public static byte[] encodeMemberMetadata(MemberSubscription s) {
        RecordWriter out = RecordWriter.value(
                        s.classicSessionTimeoutMs().isPresent()
                                ? MEMBER_METADATA_CLASSIC_VERSION
                                : RecordWriter.VALUE_VERSION)
                .putNullableString(s.instanceId().orElse(null))
                .putString(s.clientId())
                .putString(s.clientHost())
                .putInt(s.rebalanceTimeoutMs())
                .putInt(s.subscribedTopicNames().size());
        s.subscribedTopicNames().forEach(out::putString);
        out.putNullableString(s.subscribedTopicRegex().orElse(null));
        s.classicSessionTimeoutMs().ifPresent(out::putInt);
        return out.toBytes();
    }

    public static MemberSubscription decodeMemberMetadata(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.MEMBER_METADATA, value, MEMBER_METADATA_CLASSIC_VERSION);
        Optional<String> instanceId = Optional.ofNullable(in.readNullableString("instanceId"));
        String clientId = in.readString("clientId");
        String clientHost = in.readString("clientHost");
        int rebalanceTimeoutMs = in.readNonNegativeInt("rebalanceTimeoutMs");
        int names = in.readCount("subscribedTopicNames", MIN_STRING_BYTES);
        SortedSet<String> topics = new TreeSet<>();
        for (int i = 0; i < names; i++) {
            if (!topics.add(topic(in))) {
                throw in.malformed("subscribedTopicNames lists a topic twice");
            }
        }
        Optional<String> regex = Optional.ofNullable(in.readNullableString("subscribedTopicRegex"));
        OptionalInt classicSessionTimeoutMs = OptionalInt.empty();
        if (in.version() == MEMBER_METADATA_CLASSIC_VERSION) {
            int timeoutMs = in.readInt("classicSessionTimeoutMs");
            if (timeoutMs <= 0) {
                throw in.malformed("classicSessionTimeoutMs is not positive: " + timeoutMs);
            }
            classicSessionTimeoutMs = OptionalInt.of(timeoutMs);
        }
        in.end();
        return new MemberSubscription(
                instanceId, clientId, clientHost, rebalanceTimeoutMs, topics, regex, classicSessionTimeoutMs);
    }

    public static byte[] encodeTargetAssignmentMetadata(int targetAssignmentEpoch) {
        return RecordWriter.value().putInt(targetAssignmentEpoch).toBytes();
    }

    public static int decodeTargetAssignmentMetadata(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.TARGET_ASSIGNMENT_METADATA, value);
        int epoch = in.readNonNegativeInt("targetAssignmentEpoch");
        in.end();
        return epoch;
    }

    public static byte[] encodeTargetAssignmentMember(Assignment target) {
        RecordWriter out = RecordWriter.value();
        putAssignment(out, target);
        return out.toBytes();
    }

    public static Assignment decodeTargetAssignmentMember(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.TARGET_ASSIGNMENT_MEMBER, value);
        Assignment target = readAssignment(in, "targetPartitions");
        in.end();
        return target;
    }

    public static byte[] encodeCurrentMemberAssignment(MemberAssignment a) {
        RecordWriter out = RecordWriter.value()
                .putInt(a.memberEpoch())
                .putInt(a.previousMemberEpoch())
                .putByte(a.state().ordinal());
        putAssignment(out, a.assignedPartitions());
        putAssignment(out, a.partitionsPendingRevocation());
        out.putInt(a.assignmentEpochs().size());
        a.assignmentEpochs()
                .forEach((tp, epoch) ->
                        out.putString(tp.topic()).putInt(tp.partition()).putInt(epoch));
        return out.toBytes();
    }

    public static MemberAssignment decodeCurrentMemberAssignment(byte[] value) {
        RecordReader in = RecordReader.value(RecordType.CURRENT_MEMBER_ASSIGNMENT, value);
        int epoch = in.readInt("memberEpoch");
        if (epoch < GroupMember.LEFT_STATIC_EPOCH) {
            throw in.malformed("memberEpoch " + epoch + " is below " + GroupMember.LEFT_STATIC_EPOCH);
        }
        int previousEpoch = in.readInt("previousMemberEpoch");
        int state = in.readByte("state");
        if (state < 0 || state >= STATES.length) {
            throw in.malformed("unknown state " + state);
        }
        Assignment assigned = readAssignment(in, "assignedPartitions");
        Assignment pending = readAssignment(in, "partitionsPendingRevocation");
        if (!assigned.isDisjoint(pending)) {
            throw in.malformed("partitions both assigned and pending revocation: " + assigned.intersect(pending));
        }
        int epochs = in.readCount("assignmentEpochs", MIN_STRING_BYTES + 8);
        TreeMap<TopicPartition, Integer> assignmentEpochs = new TreeMap<>();
        for (int i = 0; i < epochs; i++) {
            TopicPartition tp = new TopicPartition(topic(in), in.readNonNegativeInt("assignmentEpochs partition"));
            if (assignmentEpochs.put(tp, in.readNonNegativeInt("assignmentEpochs epoch of " + tp)) != null) {
                throw in.malformed("assignmentEpochs lists " + tp + " twice");
            }
        }
        in.end();
        return new MemberAssignment(epoch, previousEpoch, STATES[state], assigned, pending, assignmentEpochs);
    }

    /** Per topic: its name, then its partitions; a topic with none is not written. */
    private static void putAssignment(RecordWriter out, Assignment assignment) {
        out.putInt(assignment.byTopic().size());
        assignment.byTopic().forEach((topic, partitions) -> {
            out.putString(topic).putInt(partitions.size());
            partitions.forEach(out::putInt);
        });
    }

    private static Assignment readAssignment(RecordReader in, String field) {
        int topics = in.readCount(field, MIN_STRING_BYTES + 4);
        Map<String, Set<Integer>> byTopic = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            String topic = topic(in);
            int count = in.readCount(field + " partitions of " + topic, 4);
            if (count == 0) {
                throw in.malformed(field + " lists topic " + topic + " with no partition");
            }
            Set<Integer> partitions = new HashSet<>();
            for (int p = 0; p < count; p++) {
                if (!partitions.add(in.readNonNegativeInt(field + " partition of " + topic))) {
                    throw in.malformed(field + " lists a partition of " + topic + " twice");
                }
            }
            if (byTopic.put(topic, partitions) != null) {
                throw in.malformed(field + " lists topic " + topic + " twice");
            }
        }
        return Assignment.of(byTopic);
    }

    private static String topic(RecordReader in) {
        String topic = in.readString("topic");
        if (topic.isEmpty()) {
            throw in.malformed("a topic name is empty");
        }
        return topic;
    }
}
