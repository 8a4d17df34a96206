package io.ferry.storage;

/**
 * What an append wrote.
 *
 * @param firstOffset          offset of the first record appended
 * @param lastOffset           offset of the last record appended; the new log end offset is {@code lastOffset + 1}
 * @param maxTimestamp         largest batch max timestamp appended, milliseconds since the epoch, or -1 if none
 * @param appendTimeMs         the log's clock when the append happened, milliseconds since the epoch
 * @param recordCount          records appended
 * @param sizeInBytes          bytes appended
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long maxTimestamp, long appendTimeMs,
                            int recordCount, int sizeInBytes) {
}
