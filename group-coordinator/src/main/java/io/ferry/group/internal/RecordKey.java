package io.ferry.group.internal;

import io.ferry.group.GroupRecord;
import io.ferry.group.MalformedGroupRecordException;
import io.ferry.group.TopicPartition;
import java.util.Objects;

/**
 * The key of a record: its type, the group, and the member or partition the type is about. Encoded as Kafka
 * does: the type's key version (a big-endian short), the group id, then the member id, or the topic and the
 * partition; the same state always has the same bytes, so compaction keeps the last record of it.
 *
 * @param memberId for a {@linkplain RecordType#perMember() per-member} type, else {@code null}
 * @param partition for {@link RecordType#OFFSET_COMMIT}, else {@code null}
 */
public record RecordKey(RecordType type, String groupId, String memberId, TopicPartition partition) {

    public RecordKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(groupId, "groupId");
        if (type.perMember() != (memberId != null) || (type == RecordType.OFFSET_COMMIT) != (partition != null)) {
            throw new IllegalArgumentException(
                    "a " + type.kafkaName() + " key with member " + memberId + " and partition " + partition);
        }
    }

    public static RecordKey ofGroup(RecordType type, String groupId) {
        return new RecordKey(type, groupId, null, null);
    }

    public static RecordKey ofMember(RecordType type, String groupId, String memberId) {
        return new RecordKey(type, groupId, memberId, null);
    }

    public static RecordKey ofOffset(String groupId, TopicPartition partition) {
        return new RecordKey(RecordType.OFFSET_COMMIT, groupId, null, partition);
    }

    public byte[] encode() {
        RecordWriter out = new RecordWriter().putShort(type.keyVersion()).putString(groupId);
        if (memberId != null) {
            out.putString(memberId);
        }
        if (partition != null) {
            out.putString(partition.topic()).putInt(partition.partition());
        }
        return out.toBytes();
    }

    public GroupRecord with(byte[] value) {
        return new GroupRecord(encode(), value);
    }

    public GroupRecord tombstone() {
        return GroupRecord.tombstone(encode());
    }

    /** @throws MalformedGroupRecordException naming what is wrong with the bytes */
    public static RecordKey decode(byte[] key) {
        RecordReader header = new RecordReader("group record key", key);
        short version = header.readShort("key version");
        RecordType type =
                RecordType.ofKeyVersion(version).orElseThrow(() -> header.malformed("unknown key version " + version));
        RecordReader in = header.named(type.kafkaName() + " key");
        String groupId = nonEmpty(in, in.readString("groupId"), "groupId");
        String memberId = type.perMember() ? nonEmpty(in, in.readString("memberId"), "memberId") : null;
        TopicPartition partition = type == RecordType.OFFSET_COMMIT
                ? new TopicPartition(nonEmpty(in, in.readString("topic"), "topic"), in.readNonNegativeInt("partition"))
                : null;
        in.end();
        return new RecordKey(type, groupId, memberId, partition);
    }

    private static String nonEmpty(RecordReader in, String value, String field) {
        if (value.isEmpty()) {
            throw in.malformed(field + " is empty");
        }
        return value;
    }
}
