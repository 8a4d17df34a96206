package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;
import java.util.Map;

/**
 * A consumer's position is outside the partition's log (or it has none) and
 * {@code auto.offset.reset=none} forbids choosing one. Seek the named partitions and poll again.
 */
public final class OffsetOutOfRangeException extends FerryException {

    private static final long serialVersionUID = 1L;

    private final transient Map<TopicPartition, Long> offsets;

    /** @param offsets each partition with the position that was out of range, -1 for no position */
    public OffsetOutOfRangeException(String message, Map<TopicPartition, Long> offsets) {
        super(ErrorCode.OFFSET_OUT_OF_RANGE, message);
        this.offsets = Map.copyOf(offsets);
    }

    public Map<TopicPartition, Long> offsets() {
        return offsets;
    }
}
