package io.ferry.storage;

/**
 * What the log cleaner threads have done since the broker started, for its metrics.
 *
 * @param passes                cleaning passes run, finished or stopped midway
 * @param bytesRead             bytes of log rewritten (read in the copy phase; building the key map reads the
 *                              dirty part once more)
 * @param bytesWritten          bytes of the cleaned segments written
 * @param recordsDropped        records removed: older values, expired tombstones, keyless records
 * @param cleaningTimeMs        time spent in passes
 * @param maxCompactionDelayMs  at the last choice of a log, the longest any compacted log's oldest dirty record
 *                              had waited past its {@code max.compaction.lag.ms}; 0 when none had
 * @param uncleanablePartitions logs a pass failed on, left alone until the broker restarts
 */
public record CleanerStats(
        long passes,
        long bytesRead,
        long bytesWritten,
        long recordsDropped,
        long cleaningTimeMs,
        long maxCompactionDelayMs,
        int uncleanablePartitions) {

    /** A broker whose cleaner is off ({@code log.cleaner.threads=0}). */
    public static final CleanerStats NONE = new CleanerStats(0, 0, 0, 0, 0, 0, 0);
}
