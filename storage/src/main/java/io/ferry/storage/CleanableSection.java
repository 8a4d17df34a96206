package io.ferry.storage;

/**
 * The part of a compacted log a cleaning pass would read, by whole sealed segments below the first
 * uncleanable offset: what the cleaner threads rank logs by, as Kafka's {@code LogToClean}.
 *
 * @param cleanBytes               bytes of the segments wholly below the clean point
 * @param dirtyBytes               bytes of the sealed segments from the clean point to the first uncleanable
 *                                 offset
 * @param oldestDirtyTimestampMs   the first batch timestamp of the oldest dirty segment (its creation time if
 *                                 it has none), {@link Long#MAX_VALUE} without dirty bytes; against it
 *                                 {@code max.compaction.lag.ms} forces a pass
 */
public record CleanableSection(long cleanBytes, long dirtyBytes, long oldestDirtyTimestampMs) {

    public static final CleanableSection NONE = new CleanableSection(0, 0, Long.MAX_VALUE);

    /** The dirty share of the cleanable bytes, 0 when there are none. */
    public double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    /**
     * How long past {@code max.compaction.lag.ms} the oldest dirty record has waited at {@code nowMs}, 0 if
     * it has not (or there is none): a positive delay makes the log due whatever its dirty ratio.
     */
    public long compactionDelayMs(long nowMs, long maxCompactionLagMs) {
        if (dirtyBytes == 0 || oldestDirtyTimestampMs == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(0, nowMs - oldestDirtyTimestampMs - maxCompactionLagMs);
    }
}
