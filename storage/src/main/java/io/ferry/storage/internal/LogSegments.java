package io.ferry.storage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The segments of one log by base offset, oldest first: the list the log's writer changes (under the
 * log's lock) and lock-free readers walk. Readers take a {@link LogEnd} snapshot first and read only
 * below it; a segment removed while they read stays readable (see {@link LogSegment}).
 *
 * <p>Thread-safety: {@link #add} and {@link #remove} are called by the holder of the log's lock; every
 * other method may run on any thread.
 */
public final class LogSegments {

    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

    /** @param loaded at least one segment, in offset order */
    public LogSegments(List<LogSegment> loaded) {
        for (LogSegment segment : loaded) {
            add(segment);
        }
    }

    /** Adds {@code segment}, replacing one with the same base offset (a truncated copy replaces its original). */
    public void add(LogSegment segment) {
        segments.put(segment.baseOffset(), segment);
    }

    /**
     * Takes {@code segment} out of the list, closes it and deletes its files {@code deleteDelayMs} later
     * on {@code scheduler} (see {@link LogSegment#closeAndDelete}).
     */
    public void remove(LogSegment segment, ScheduledExecutorService scheduler, long deleteDelayMs) throws IOException {
        segments.remove(segment.baseOffset(), segment);
        segment.closeAndDelete(scheduler, deleteDelayMs);
    }

    /** Every segment, oldest first; a snapshot. */
    public List<LogSegment> all() {
        return List.copyOf(segments.values());
    }

    /** The segments whose base offset is above {@code offset}, oldest first; a snapshot. */
    public List<LogSegment> above(long offset) {
        return List.copyOf(segments.tailMap(offset, false).values());
    }

    /** The segments holding offsets in {@code [from, to)}, oldest first; a snapshot. */
    public List<LogSegment> holding(long from, long to) {
        Long first = segments.floorKey(from);
        return List.copyOf(segments.subMap(first == null ? Long.MIN_VALUE : first, true, to, false).values());
    }

    /** The segment whose base offset is the greatest at or below {@code offset}, or null. */
    public LogSegment floor(long offset) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        return entry == null ? null : entry.getValue();
    }

    public long firstBaseOffset() {
        return segments.firstKey();
    }

    public LogSegment last() {
        return segments.lastEntry().getValue();
    }

    public int count() {
        return segments.size();
    }

    /** Base offsets, oldest first; a snapshot. */
    public List<Long> baseOffsets() {
        return List.copyOf(segments.keySet());
    }

    /** Bytes held by all segments. */
    public long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.size();
        }
        return size;
    }

    /**
     * Whole batches of one segment below {@code end}, from the one holding {@code offset} (see
     * {@link LogSegment#read}); empty if there is none; null if no segment is at or below {@code offset}
     * any more (retention removed it after the caller checked the offset against the log start).
     */
    public ByteBuffer read(long offset, int maxBytes, long maxOffsetExclusive, LogEnd end) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null) {
            return null;
        }
        while (entry != null) {
            LogSegment segment = entry.getValue();
            ByteBuffer bytes = segment.read(offset, maxBytes, end.readLimit(segment), maxOffsetExclusive);
            if (bytes != null) {
                return bytes;
            }
            if (segment == end.segment()) {
                break;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return ByteBuffer.allocate(0).asReadOnlyBuffer();
    }

    /**
     * The offset of the first record below {@code end} whose timestamp is at least {@code timestamp}
     * ({@link LogSegment#offsetForTimestamp}), never below {@code logStart}.
     */
    public OptionalLong offsetForTimestamp(long timestamp, long logStart, LogEnd end) {
        for (LogSegment segment : segments.values()) {
            OptionalLong offset = segment.offsetForTimestamp(timestamp, end.readLimit(segment));
            if (offset.isPresent()) {
                return OptionalLong.of(Math.max(logStart, offset.getAsLong()));
            }
            if (segment == end.segment()) {
                break;
            }
        }
        return OptionalLong.empty();
    }
}
