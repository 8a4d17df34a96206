package io.ferry.storage.internal;

import io.ferry.storage.LogConfig;
import java.util.List;

/**
 * Which of a log's oldest segments may go: pure decisions over the segment list, which the log then
 * applies under its lock (it deletes whole segments only, and rolls first if every one goes).
 */
public final class Retention {

    private Retention() {}

    /**
     * How many of the oldest segments {@code retention.ms} and {@code retention.bytes} delete: each in
     * turn while it is expired (its newest batch timestamp older than {@code retention.ms}; a segment
     * without timestamps never expires by time) or the log stays at least {@code retention.bytes} large
     * without it, and only segments that are not empty and lie wholly below {@code highWatermark}.
     *
     * @param oldestFirst every segment of the log
     */
    public static int deletable(List<LogSegment> oldestFirst, LogConfig config, long nowMs, long highWatermark) {
        boolean sizeLimited = config.retentionBytes() >= 0;
        long excess = -config.retentionBytes();
        for (LogSegment segment : oldestFirst) {
            excess += segment.size();
        }
        int deletable = 0;
        for (LogSegment segment : oldestFirst) {
            boolean expired = config.retentionMs() >= 0
                    && segment.largestTimestamp() >= 0
                    && nowMs - segment.largestTimestamp() > config.retentionMs();
            boolean oversize = sizeLimited && excess - segment.size() >= 0;
            if (segment.size() == 0 || segment.nextOffset() > highWatermark || !(expired || oversize)) {
                break;
            }
            excess -= segment.size();
            deletable++;
        }
        return deletable;
    }

    /**
     * How many of the oldest segments lie wholly below {@code logStart}, as a new log start offset
     * removes them. An empty segment (the active one, at the log end) is never below it.
     */
    public static int below(List<LogSegment> oldestFirst, long logStart) {
        int below = 0;
        while (below < oldestFirst.size()
                && oldestFirst.get(below).size() > 0
                && oldestFirst.get(below).nextOffset() <= logStart) {
            below++;
        }
        return below;
    }
}
