package io.ferry.storage;

/**
 * What one cleaning pass of a log did ({@link Log#clean}), or one group of segments within it.
 *
 * @param cleanOffset     offsets below it are clean: the log's next first dirty offset, for the cleaner
 *                        checkpoint
 * @param segmentsCleaned old segments replaced by cleaned ones
 * @param mapBytesRead    bytes of the dirty section read to build the key map
 * @param bytesRead       bytes of segments read to rewrite them
 * @param bytesWritten    bytes of the cleaned segments
 * @param recordsDropped  records removed (older values, expired tombstones, keyless records)
 * @param keylessDropped  of those, records without a key, which a compacted log cannot keep
 * @param aborted         the log changed under the pass (retention, truncation, close): the groups swapped
 *                        before stay, the rest is left for the next pass and the clean offset did not move
 */
public record CleanResult(
        long cleanOffset,
        int segmentsCleaned,
        long mapBytesRead,
        long bytesRead,
        long bytesWritten,
        long recordsDropped,
        long keylessDropped,
        boolean aborted) {}
