package io.ferry.replication.simulation;

import java.util.TreeMap;

/**
 * {@link Invariant#MONOTONIC_HIGH_WATERMARK}: what a client sees of the high watermark.
 *
 * <ul>
 *   <li>The high watermark served at a leader epoch never decreases. One replica leads an epoch, from its
 *       election until it stops leading or dies, and raises its high watermark only.
 *   <li>Across a leader change it may: the new leader starts from its high watermark as a follower, which
 *       lags the old leader's by up to one fetch, and learns the rest from its followers' first fetches. A
 *       consumer whose position is between the two reads nothing until then, and loses nothing: KIP-101 and
 *       KIP-279 make every replica truncate where its log diverges from the leader's, never below a committed
 *       offset, so the new leader's log holds everything committed before
 *       ({@link Invariant#LEADERS_KEEP_COMMITTED_RECORDS}). What is checked is that it catches up: once the
 *       new leader has committed an offset of its own epoch (its high watermark passed its epoch start offset,
 *       which is at least every earlier high watermark), it serves at least every high watermark served at
 *       earlier epochs; unless committed batches were lost beyond the failure budget.
 * </ul>
 */
final class MonotonicHighWatermark {

    private final PartitionHistory history;
    /** Per leader epoch, the highest high watermark served at it. */
    private final TreeMap<Integer, Long> servedByEpoch = new TreeMap<>();

    private long highestServed;

    MonotonicHighWatermark(PartitionHistory history) {
        this.history = history;
    }

    void served(Leadership leadership, long highWatermark) {
        Long before = servedByEpoch.get(leadership.epoch);
        if (before != null && highWatermark < before) {
            throw new InvariantViolation(
                    Invariant.MONOTONIC_HIGH_WATERMARK,
                    leadership + " of " + history.tp + " serves the high watermark " + highWatermark + " after "
                            + before + " was served at that epoch");
        }
        servedByEpoch.merge(leadership.epoch, highWatermark, Math::max);
        if (highWatermark > leadership.epochStart && highWatermark < highestServed) {
            long earlier = servedByEpoch.headMap(leadership.epoch).values().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            if (highWatermark < earlier && !history.lostBeyondBudgetBelow(earlier)) {
                throw new InvariantViolation(
                        Invariant.MONOTONIC_HIGH_WATERMARK,
                        leadership + " of " + history.tp
                                + " committed past its epoch start " + leadership.epochStart
                                + " but serves the high watermark "
                                + highWatermark + ", below the " + earlier + " served at an earlier epoch");
            }
        }
        highestServed = Math.max(highestServed, highWatermark);
    }
}
