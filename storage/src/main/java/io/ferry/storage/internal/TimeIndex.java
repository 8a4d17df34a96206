package io.ferry.storage.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The sparse {@code .timeindex} of a segment: entries of (largest timestamp so far, int64 ms; offset
 * relative to the segment's base offset of the batch that first reached it, int32), strictly
 * increasing in timestamp. One slot is kept free for the final entry written when the segment seals,
 * so a sealed segment's last entry holds its largest timestamp.
 */
final class TimeIndex extends MappedIndex {

    static final int ENTRY_SIZE = 12;

    private final long baseOffset;

    private TimeIndex(Path path, long baseOffset) {
        super(path, ENTRY_SIZE);
        this.baseOffset = baseOffset;
    }

    static TimeIndex open(Path path, long baseOffset, int capacityBytes) throws IOException {
        TimeIndex index = new TimeIndex(path, baseOffset);
        index.open(capacityBytes);
        return index;
    }

    boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    /** Adds (timestamp, offset) if {@code timestamp} is larger than the last entry's and a slot is left. */
    void maybeAppend(long timestamp, long offset) {
        int entry = entries();
        if (entry >= maxEntries() || (entry > 0 && timestamp <= lastTimestamp())) {
            return;
        }
        MappedByteBuffer buffer = buffer();
        buffer.putLong(entryPosition(entry), timestamp);
        buffer.putInt(entryPosition(entry) + 8, (int) (offset - baseOffset));
        publishAppend();
    }

    /** The last entry's timestamp, or -1 when there is none. */
    long lastTimestamp() {
        int count = entries();
        return count == 0 ? -1L : map().getLong(entryPosition(count - 1));
    }

    /**
     * The offset of a batch before which every timestamp is smaller than {@code timestamp}: the
     * entry with the largest timestamp strictly below it, or the base offset.
     */
    long offsetBefore(long timestamp) {
        int entry = search(timestamp, true);
        return entry < 0 ? baseOffset : baseOffset + map().getInt(entryPosition(entry) + 8);
    }

    /** Strictly increasing timestamps, non-decreasing offsets below {@code nextOffset}. */
    boolean isSane(long nextOffset) {
        if (entries() == 0) {
            return true;
        }
        MappedByteBuffer buffer = map();
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = 0;
        for (int i = 0; i < entries(); i++) {
            long timestamp = buffer.getLong(entryPosition(i));
            int relative = buffer.getInt(entryPosition(i) + 8);
            if (timestamp <= previousTimestamp || relative < previousOffset || baseOffset + relative >= nextOffset) {
                return false;
            }
            previousTimestamp = timestamp;
            previousOffset = relative;
        }
        return true;
    }

    @Override
    long keyAt(MappedByteBuffer buffer, int entry) {
        return buffer.getLong(entryPosition(entry));
    }
}
