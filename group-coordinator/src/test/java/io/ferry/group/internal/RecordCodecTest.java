package io.ferry.group.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.Assignment;
import io.ferry.group.MalformedGroupRecordException;
import io.ferry.group.MemberState;
import io.ferry.group.OffsetAndMetadata;
import io.ferry.group.TopicPartition;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every key and value decodes to what was encoded; corrupt bytes are refused, naming the record and the field. */
class RecordCodecTest {

    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition U3 = new TopicPartition("u", 3);

    static final OffsetAndMetadata OFFSET = new OffsetAndMetadata(42, 7, "état", 1_700_000_000_000L);
    static final GroupMetadata METADATA = new GroupMetadata(12, 5_000);
    static final TreeMap<String, Integer> PARTITIONS = new TreeMap<>(Map.of("t", 4, "u", 8));
    static final MemberSubscription SUBSCRIPTION = new MemberSubscription(
            Optional.of("instance-1"),
            "client",
            "/10.0.0.1",
            30_000,
            new TreeSet<>(List.of("t", "u")),
            Optional.of("v.*"),
            OptionalInt.empty());
    static final MemberSubscription CLASSIC_SUBSCRIPTION = new MemberSubscription(
            Optional.empty(),
            "rdkafka",
            "/10.0.0.2",
            300_000,
            new TreeSet<>(List.of("t")),
            Optional.empty(),
            OptionalInt.of(10_000));
    static final Assignment TARGET = Assignment.of(List.of(T0, U3, new TopicPartition("u", 1)));
    static final MemberAssignment ASSIGNMENT = new MemberAssignment(
            5,
            4,
            MemberState.UNREVOKED_PARTITIONS,
            Assignment.of(List.of(T0)),
            Assignment.of(List.of(U3)),
            new TreeMap<>(Map.of(T0, 2, U3, 4)));

    /** Each value type: its record type, a value encoded, and its decoder. */
    static Stream<Arguments> values() {
        return Stream.of(
                value(
                        RecordType.OFFSET_COMMIT,
                        RecordValues.encodeOffsetCommit(OFFSET),
                        RecordValues::decodeOffsetCommit,
                        OFFSET),
                value(
                        RecordType.GROUP_METADATA,
                        RecordValues.encodeGroupMetadata(METADATA),
                        RecordValues::decodeGroupMetadata,
                        METADATA),
                value(
                        RecordType.PARTITION_METADATA,
                        RecordValues.encodePartitionMetadata(PARTITIONS),
                        RecordValues::decodePartitionMetadata,
                        PARTITIONS),
                value(
                        RecordType.MEMBER_METADATA,
                        RecordValues.encodeMemberMetadata(SUBSCRIPTION),
                        RecordValues::decodeMemberMetadata,
                        SUBSCRIPTION),
                value(
                        RecordType.MEMBER_METADATA,
                        RecordValues.encodeMemberMetadata(CLASSIC_SUBSCRIPTION),
                        RecordValues::decodeMemberMetadata,
                        CLASSIC_SUBSCRIPTION),
                value(
                        RecordType.TARGET_ASSIGNMENT_METADATA,
                        RecordValues.encodeTargetAssignmentMetadata(9),
                        RecordValues::decodeTargetAssignmentMetadata,
                        9),
                value(
                        RecordType.TARGET_ASSIGNMENT_MEMBER,
                        RecordValues.encodeTargetAssignmentMember(TARGET),
                        RecordValues::decodeTargetAssignmentMember,
                        TARGET),
                value(
                        RecordType.CURRENT_MEMBER_ASSIGNMENT,
                        RecordValues.encodeCurrentMemberAssignment(ASSIGNMENT),
                        RecordValues::decodeCurrentMemberAssignment,
                        ASSIGNMENT));
    }

    static Arguments value(RecordType type, byte[] encoded, Function<byte[], ?> decoder, Object expected) {
        return Arguments.of(type, encoded, decoder, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void aValueDecodesToWhatWasEncoded(RecordType type, byte[] encoded, Function<byte[], ?> decoder, Object expected) {
        assertEquals(expected, decoder.apply(encoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void everyTruncationOfAValueIsRefusedNamingTheRecord(
            RecordType type, byte[] encoded, Function<byte[], ?> decoder, Object expected) {
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            MalformedGroupRecordException e = assertThrows(
                    MalformedGroupRecordException.class, () -> decoder.apply(truncated), "length " + length);
            assertTrue(e.getMessage().startsWith("malformed " + type.kafkaName() + " value: "), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void aValueWithBytesAfterItsLastFieldIsRefused(
            RecordType type, byte[] encoded, Function<byte[], ?> decoder, Object expected) {
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
        assertMalformed("1 bytes after the last field", () -> decoder.apply(longer));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void aValueOfAnUnknownVersionIsRefused(
            RecordType type, byte[] encoded, Function<byte[], ?> decoder, Object expected) {
        byte[] newer = encoded.clone();
        newer[1] = 9;
        assertMalformed(type.kafkaName() + " value: unknown version 9", () -> decoder.apply(newer));
    }

    @Test
    void aKip848MembersMetadataStaysVersion0AndAClassicMembersIsVersion1WithItsSessionTimeout() {
        assertEquals(
                0,
                ByteBuffer.wrap(RecordValues.encodeMemberMetadata(SUBSCRIPTION)).getShort());
        byte[] classic = RecordValues.encodeMemberMetadata(CLASSIC_SUBSCRIPTION);
        assertEquals(1, ByteBuffer.wrap(classic).getShort());
        assertEquals(10_000, ByteBuffer.wrap(classic, classic.length - 4, 4).getInt());
        byte[] zero = RecordValues.encodeMemberMetadata(new MemberSubscription(
                Optional.empty(), "c", "h", 1, new TreeSet<>(), Optional.empty(), OptionalInt.of(0)));
        assertMalformed(
                "ConsumerGroupMemberMetadata value: classicSessionTimeoutMs is not positive: 0",
                () -> RecordValues.decodeMemberMetadata(zero));
    }

    static Stream<RecordKey> keys() {
        return Stream.of(
                RecordKey.ofOffset("g", new TopicPartition("orders", 17)),
                RecordKey.ofGroup(RecordType.GROUP_METADATA, "g"),
                RecordKey.ofGroup(RecordType.PARTITION_METADATA, "g"),
                RecordKey.ofMember(RecordType.MEMBER_METADATA, "g", "m1"),
                RecordKey.ofGroup(RecordType.TARGET_ASSIGNMENT_METADATA, "g"),
                RecordKey.ofMember(RecordType.TARGET_ASSIGNMENT_MEMBER, "g", "m1"),
                RecordKey.ofMember(RecordType.CURRENT_MEMBER_ASSIGNMENT, "groupé", "m1"));
    }

    @ParameterizedTest
    @MethodSource("keys")
    void aKeyDecodesToWhatWasEncodedAndEveryTruncationIsRefused(RecordKey key) {
        byte[] encoded = key.encode();
        assertEquals(key, RecordKey.decode(encoded));
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThrows(MalformedGroupRecordException.class, () -> RecordKey.decode(truncated), "length " + length);
        }
    }

    @Test
    void aKeyStartsWithKafkasKeyVersionOfItsType() {
        assertEquals(1, ByteBuffer.wrap(RecordKey.ofOffset("g", T0).encode()).getShort());
        assertEquals(
                8,
                ByteBuffer.wrap(RecordKey.ofMember(RecordType.CURRENT_MEMBER_ASSIGNMENT, "g", "m")
                                .encode())
                        .getShort());
        // Offset commit key: version, group, topic, partition; strings as a short length and UTF-8.
        assertArrayEquals(
                new byte[] {0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 3},
                RecordKey.ofOffset("g", new TopicPartition("t", 3)).encode());
    }

    @Test
    void anUnknownKeyVersionIsRefused() {
        assertMalformed(
                "group record key: unknown key version 2", () -> RecordKey.decode(new byte[] {0, 2, 0, 1, 'g'}));
        assertMalformed("unknown key version -1", () -> RecordKey.decode(new byte[] {(byte) 0xff, (byte) 0xff}));
    }

    @Test
    void keyFieldsOutOfRangeAreRefused() {
        assertMalformed(
                "OffsetCommit key: partition is negative",
                () -> RecordKey.decode(new byte[] {0, 1, 0, 1, 'g', 0, 1, 't', (byte) 0xff, 0, 0, 0}));
        assertMalformed("ConsumerGroupMetadata key: groupId is empty", () -> RecordKey.decode(new byte[] {0, 3, 0, 0}));
        assertMalformed("groupId is not valid UTF-8", () -> RecordKey.decode(new byte[] {0, 3, 0, 1, (byte) 0xc3}));
        assertMalformed("groupId has length -2", () -> RecordKey.decode(new byte[] {0, 3, (byte) 0xff, (byte) 0xfe}));
        assertMalformed("groupId is null", () -> RecordKey.decode(new byte[] {0, 3, (byte) 0xff, (byte) 0xff}));
    }

    @Test
    void anAbsurdCountIsRefusedBeforeAnythingIsAllocated() {
        byte[] huge = RecordWriter.value().putInt(Integer.MAX_VALUE).toBytes();
        assertMalformed(
                "ConsumerGroupPartitionMetadata value: topics count 2147483647 does not fit the 0 bytes left",
                () -> RecordValues.decodePartitionMetadata(huge));
        byte[] negative = RecordWriter.value().putInt(-1).toBytes();
        assertMalformed("targetPartitions count -1", () -> RecordValues.decodeTargetAssignmentMember(negative));
    }

    @Test
    void valueFieldsOutOfRangeAreRefused() {
        assertMalformed(
                "OffsetCommit value: offset is negative",
                () -> RecordValues.decodeOffsetCommit(
                        RecordValues.encodeOffsetCommit(new OffsetAndMetadata(-1, -1, "", 0))));
        assertMalformed(
                "leaderEpoch -2",
                () -> RecordValues.decodeOffsetCommit(
                        RecordValues.encodeOffsetCommit(new OffsetAndMetadata(0, -2, "", 0))));
        assertMalformed(
                "groupEpoch is negative",
                () -> RecordValues.decodeGroupMetadata(RecordValues.encodeGroupMetadata(new GroupMetadata(-1, -1))));
        byte[] state = RecordValues.encodeCurrentMemberAssignment(ASSIGNMENT);
        state[10] = 3; // version (2), epochs (8), then the state
        assertMalformed("unknown state 3", () -> RecordValues.decodeCurrentMemberAssignment(state));
        byte[] pending = RecordValues.encodeCurrentMemberAssignment(new MemberAssignment(
                1, 0, MemberState.STABLE, Assignment.of(List.of(T0)), Assignment.of(List.of(T0)), new TreeMap<>()));
        assertMalformed(
                "both assigned and pending revocation", () -> RecordValues.decodeCurrentMemberAssignment(pending));
        byte[] twice = RecordWriter.value()
                .putInt(2)
                .putString("t")
                .putInt(1)
                .putString("t")
                .putInt(2)
                .toBytes();
        assertMalformed("topic t listed twice", () -> RecordValues.decodePartitionMetadata(twice));
    }

    static void assertMalformed(String expected, org.junit.jupiter.api.function.Executable decode) {
        MalformedGroupRecordException e = assertThrows(MalformedGroupRecordException.class, decode);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
