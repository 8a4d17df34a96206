package io.ferry.record;

/**
 * What {@link RecordBatch#scanRecords(int)} learned walking a batch's records, for checks that depend on
 * policy rather than on the format (which the scan itself enforces).
 *
 * @param recordCount         records walked: the batch's record count
 * @param maxTimestamp        largest create-time record timestamp (base timestamp + delta), or
 *                            {@link RecordBatch#NO_TIMESTAMP} for a batch with no record
 * @param minStampedTimestamp smallest create-time record timestamp other than
 *                            {@link RecordBatch#NO_TIMESTAMP}, or {@link Long#MAX_VALUE} if no record has one
 * @param firstKeylessRecord  index in the batch of the first record whose key is null, -1 if every record has
 *                            one (a compacted topic refuses keyless records)
 */
public record RecordsScan(int recordCount, long maxTimestamp, long minStampedTimestamp, int firstKeylessRecord) {}
