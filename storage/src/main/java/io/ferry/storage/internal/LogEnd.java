package io.ferry.storage.internal;

/**
 * The log end offset and where it lies, published together after each change, so that a lock-free
 * reader that takes one snapshot reads only bytes below it.
 *
 * @param offset   the offset the next appended record gets
 * @param segment  the active segment, which holds the log end
 * @param position the byte position in {@code segment} where the next batch goes
 */
public record LogEnd(long offset, LogSegment segment, int position) {

    /** The end of {@code active}, the last segment of a log. */
    public static LogEnd of(LogSegment active) {
        return new LogEnd(active.nextOffset(), active, active.size());
    }

    /** How far a reader of {@code segment} may read: this snapshot's position in the active segment, else all of it. */
    int readLimit(LogSegment segment) {
        return segment == this.segment ? position : segment.size();
    }
}
