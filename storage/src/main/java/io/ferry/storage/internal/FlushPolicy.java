package io.ferry.storage.internal;

import io.ferry.storage.LogConfig;

/**
 * The flush policy of one log ({@code flush.messages}, {@code flush.ms}): counts the records appended
 * since the last flush and says when a flush is due. It decides only; {@link LogFlush} flushes.
 *
 * <p>Not thread-safe: the log's lock guards it.
 */
public final class FlushPolicy {

    private long appendedRecords;
    /** The count when {@code flush.messages} last asked for a flush (or a flush began): it counts from there. */
    private long requestedRecords;

    private long flushedRecords;
    private long lastFlushMs;

    /** @param nowMs counted as the time of the last flush */
    public FlushPolicy(long nowMs) {
        this.lastFlushMs = nowMs;
    }

    /**
     * Counts an append of {@code records}; returns whether {@code flush.messages} asks for a flush now,
     * which the appends after it do not wait for until as many records followed (as in Kafka, where the
     * append that reaches the count flushes).
     */
    public boolean appended(int records, LogConfig config) {
        appendedRecords += records;
        if (appendedRecords - requestedRecords < config.flushIntervalMessages()) {
            return false;
        }
        requestedRecords = appendedRecords;
        return true;
    }

    /** Whether {@code flush.ms} asks for a flush: records were appended since the last one, which is that old. */
    public boolean dueByTime(long nowMs, LogConfig config) {
        return appendedRecords > flushedRecords && nowMs - lastFlushMs >= config.flushIntervalMs();
    }

    /** Where the count stands, to hand to {@link #flushed} once a flush that begins now has finished. */
    public long mark() {
        return appendedRecords;
    }

    /** A flush to the log end, begun at {@code mark}, finished at {@code nowMs}. */
    public void flushed(long mark, long nowMs) {
        flushedRecords = Math.max(flushedRecords, mark);
        requestedRecords = Math.max(requestedRecords, mark);
        lastFlushMs = nowMs;
    }

    /** A truncation removed records: none is counted as waiting for a flush any more. */
    public void truncated() {
        flushedRecords = appendedRecords;
        requestedRecords = appendedRecords;
    }
}
