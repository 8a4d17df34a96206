package io.ferry.storage.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The sparse {@code .index} of a segment: entries of (offset relative to the segment's base offset,
 * int32; byte position of the batch starting at that offset, int32), in increasing order of both.
 * The first batch of a segment has no entry: offsets below the first entry start at position 0.
 */
final class OffsetIndex extends MappedIndex {

    static final int ENTRY_SIZE = 8;

    private final long baseOffset;

    private OffsetIndex(Path path, long baseOffset) {
        super(path, ENTRY_SIZE);
        this.baseOffset = baseOffset;
    }

    static OffsetIndex open(Path path, long baseOffset, int capacityBytes) throws IOException {
        OffsetIndex index = new OffsetIndex(path, baseOffset);
        index.open(capacityBytes);
        return index;
    }

    boolean isFull() {
        return entries() >= maxEntries();
    }

    /**
     * Records that the batch with base offset {@code offset} starts at byte {@code position}; skipped
     * when the index is full (the log then rolls before its next append).
     */
    void append(long offset, int position) {
        int entry = entries();
        if (entry >= maxEntries()) {
            return;
        }
        MappedByteBuffer buffer = buffer();
        buffer.putInt(entryPosition(entry), (int) (offset - baseOffset));
        buffer.putInt(entryPosition(entry) + 4, position);
        publishAppend();
    }

    /** The indexed batch at or before {@code offset}: its base offset and position, or (base offset, 0). */
    Entry lookup(long offset) {
        int entry = search(offset - baseOffset, false);
        if (entry < 0) {
            return new Entry(baseOffset, 0);
        }
        MappedByteBuffer buffer = map();
        return new Entry(baseOffset + buffer.getInt(entryPosition(entry)), buffer.getInt(entryPosition(entry) + 4));
    }

    /**
     * Whether the entries are plausible for a log of {@code logSize} bytes: strictly increasing offsets
     * and positions, each position inside the log. A failing index is rebuilt.
     */
    boolean isSane(int logSize) {
        if (entries() == 0) {
            return true;
        }
        MappedByteBuffer buffer = map();
        long previousOffset = 0;
        long previousPosition = 0;
        for (int i = 0; i < entries(); i++) {
            int relative = buffer.getInt(entryPosition(i));
            int position = buffer.getInt(entryPosition(i) + 4);
            if (relative <= previousOffset || position <= previousPosition || position >= logSize) {
                return false;
            }
            previousOffset = relative;
            previousPosition = position;
        }
        return true;
    }

    @Override
    long keyAt(MappedByteBuffer buffer, int entry) {
        return buffer.getInt(entryPosition(entry));
    }

    record Entry(long offset, int position) {}
}
