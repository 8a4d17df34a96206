package io.ferry.storage.internal;

import io.ferry.storage.BufferLease;
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
 * below it. The list holds the log's reference to each of its segments and releases it when a segment
 * leaves; a reader retains a segment before reading it, and a read's slice keeps that reference until
 * its lease is released (see {@link LogSegment}).
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

    /**
     * Adds {@code segment}, replacing one with the same base offset (a truncated copy replaces its
     * original, whose reference the list then releases).
     */
    public void add(LogSegment segment) {
        LogSegment replaced = segments.put(segment.baseOffset(), segment);
        if (replaced != null && replaced != segment) {
            replaced.release();
        }
    }

    /**
     * Takes {@code segment} out of the list, closes it, deletes its files {@code deleteDelayMs} later
     * on {@code scheduler} (see {@link LogSegment#closeAndDelete}) and releases the list's reference.
     */
    public void remove(LogSegment segment, ScheduledExecutorService scheduler, long deleteDelayMs) throws IOException {
        segments.remove(segment.baseOffset(), segment);
        try {
            segment.closeAndDelete(scheduler, deleteDelayMs);
        } finally {
            segment.release();
        }
    }

    /**
     * Puts {@code fresh} in place of {@code old} (consecutive segments, the first with {@code fresh}'s base
     * offset) in one step for readers of the same base offset, and releases the list's references to the
     * old ones; their files were already renamed away by the caller (the cleaner's swap).
     */
    public void replace(List<LogSegment> old, LogSegment fresh) {
        segments.put(fresh.baseOffset(), fresh);
        for (LogSegment segment : old) {
            if (segment.baseOffset() != fresh.baseOffset()) {
                segments.remove(segment.baseOffset(), segment);
            }
            segment.release();
        }
    }

    /** Whether {@code segment} is still in the list. */
    public boolean contains(LogSegment segment) {
        return segments.get(segment.baseOffset()) == segment;
    }

    /**
     * Closes every segment's file and releases the list's references (the log is closed or deleted):
     * each segment is unmapped once its readers are done. The list is not read from again.
     */
    public void closeAll() throws IOException {
        IOException failure = null;
        for (LogSegment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            } finally {
                segment.release();
            }
        }
        if (failure != null) {
            throw failure;
        }
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
        return List.copyOf(segments.subMap(first == null ? Long.MIN_VALUE : first, true, to, false)
                .values());
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

    /** Segments with a file mapped now (see {@link LogSegment#isMapped()}). */
    public int mappedCount() {
        int mapped = 0;
        for (LogSegment segment : segments.values()) {
            if (segment.isMapped()) {
                mapped++;
            }
        }
        return mapped;
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
     * Bytes read from a segment and the loan of them: the reader's reference to the segment, given back
     * by releasing {@code lease}.
     */
    public record Slice(ByteBuffer bytes, BufferLease lease) {
        static final Slice EMPTY = new Slice(ByteBuffer.allocate(0).asReadOnlyBuffer(), BufferLease.NONE);
    }

    /**
     * Whole batches of one segment below {@code end}, from the one holding {@code offset} (see
     * {@link LogSegment#read}), holding a reference to that segment until released; empty if there is
     * none; null if a segment it had to read left the log meanwhile (retention, truncation, close): the
     * caller looks again from the log's new state.
     */
    public Slice read(long offset, int maxBytes, long maxOffsetExclusive, LogEnd end) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null) {
            return null;
        }
        while (entry != null) {
            LogSegment segment = entry.getValue();
            if (!segment.retain()) {
                return null;
            }
            ByteBuffer bytes;
            try {
                bytes = segment.read(offset, maxBytes, end.readLimit(segment), maxOffsetExclusive);
            } catch (RuntimeException e) {
                segment.release();
                throw e;
            }
            if (bytes != null) {
                return new Slice(bytes, BufferLease.once(segment::release));
            }
            segment.release();
            if (segment == end.segment()) {
                break;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return Slice.EMPTY;
    }

    /**
     * The offset of the first record below {@code end} whose timestamp is at least {@code timestamp}
     * ({@link LogSegment#offsetForTimestamp}), never below {@code logStart}; null if a segment it had to
     * read left the log meanwhile (the caller looks again).
     */
    public OptionalLong offsetForTimestamp(long timestamp, long logStart, LogEnd end) {
        for (LogSegment segment : segments.values()) {
            if (!segment.retain()) {
                return null;
            }
            OptionalLong offset;
            try {
                offset = segment.offsetForTimestamp(timestamp, end.readLimit(segment));
            } finally {
                segment.release();
            }
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
