package io.ferry.group;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A record of a {@code __consumer_offsets} partition: key and value bytes, as {@link CoordinatorShard}
 * writes and replays them (docs/group-coordinator.md, "Records"). Compaction keeps the last record of each
 * key, so a key names one piece of state and its value is that piece whole.
 *
 * @param value {@code null} for a tombstone: the piece is gone
 */
public record GroupRecord(byte[] key, byte[] value) {

    public GroupRecord {
        Objects.requireNonNull(key, "key");
    }

    /** A tombstone for {@code key}. */
    public static GroupRecord tombstone(byte[] key) {
        return new GroupRecord(key, null);
    }

    public boolean isTombstone() {
        return value == null;
    }

    // Byte arrays compare by identity: records compare by content, so tests and the runtime can compare them.
    @Override
    public boolean equals(Object o) {
        return o instanceof GroupRecord other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "GroupRecord[key=" + HexFormat.of().formatHex(key) + ", value="
                + (value == null ? "tombstone" : value.length + " bytes") + "]";
    }
}
