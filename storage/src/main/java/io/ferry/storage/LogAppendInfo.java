package io.ferry.storage;

/**
 * What an append wrote.
 *
 * @param firstOffset          offset of the first record appended
 * @param lastOffset           offset of the last record appended; the new log end offset is {@code lastOffset + 1}
 * @param maxTimestamp         largest batch max timestamp appended, milliseconds since the epoch, or -1 if none
 * @param logAppendTimeMs      the leader's clock stamped into the batches, for a LogAppendTime log; -1 otherwise
 * @param recordCount          records appended
 * @param sizeInBytes          bytes appended
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long maxTimestamp, long logAppendTimeMs,
                            int recordCount, int sizeInBytes) {
}
