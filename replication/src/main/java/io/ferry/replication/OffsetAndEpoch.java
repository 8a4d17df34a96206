package io.ferry.replication;

/**
 * A ListOffsets answer.
 *
 * @param offset      -1 when no batch has a timestamp at or after the one asked for
 * @param timestampMs the timestamp asked for, or -1 for earliest/latest
 * @param leaderEpoch the leader's current epoch
 */
public record OffsetAndEpoch(long offset, long timestampMs, int leaderEpoch) {}
