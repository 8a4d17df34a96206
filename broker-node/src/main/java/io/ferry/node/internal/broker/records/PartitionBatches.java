package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.RecordError;
import io.ferry.proto.v1.RecordHeader;
import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's records of a Publish request as RecordBatch v2 (CreateTime, in the topic's
 * {@code compression.type}; uncompressed for {@code producer}, as a Publish caller chooses no codec), in as few
 * batches as {@code max.message.bytes} allows: a batch takes records while its uncompressed size plus the next
 * record's upper bound stays within the limit. A record too large for a batch of its own is left out with
 * BATCH_TOO_LARGE. The batches are concatenated, so the partition's appended records have consecutive offsets
 * in request order. Pure functions.
 */
final class PartitionBatches {

    /**
     * @param batches   every batch, position 0 to their total size, base offset 0 (the leader assigns offsets)
     * @param records   the request indices of the records in {@code batches}, in offset order; empty when none
     *                  fits, and then {@code batches} is empty too
     * @param tooLarge  the request indices of the records left out, with their errors
     */
    record Encoded(ByteBuffer batches, List<Integer> records, Map<Integer, RecordError> tooLarge) {}

    private PartitionBatches() {}

    /** The record's CreateTime: its own, else the broker's clock. */
    static long timestamp(PublishRecord record, long nowMs) {
        return record.hasTimestampMs() ? record.getTimestampMs() : nowMs;
    }

    /**
     * @param indices       the request indices of the partition's records, in request order
     * @param maxBatchBytes the largest batch the partition's log accepts
     * @param nowMs         the timestamp of records that carry none
     * @param codec         the codec the batches are written in
     */
    static Encoded encode(
            List<PublishRecord> records,
            List<Integer> indices,
            int maxBatchBytes,
            long nowMs,
            String topic,
            CompressionType codec) {
        List<ByteBuffer> built = new ArrayList<>();
        List<Integer> appended = new ArrayList<>();
        Map<Integer, RecordError> tooLarge = new HashMap<>();
        RecordBatchBuilder batch = null;
        for (int index : indices) {
            PublishRecord record = records.get(index);
            long bound = sizeUpperBound(record);
            if (batch != null && batch.uncompressedSizeInBytes() + bound > maxBatchBytes) {
                built.add(batch.build());
                batch = null;
            }
            if (batch == null) {
                batch = RecordBatchBuilder.create(codec);
            }
            batch.append(
                    timestamp(record, nowMs),
                    record.hasKey() ? record.getKey().toByteArray() : null,
                    record.hasValue() ? record.getValue().toByteArray() : null,
                    headers(record));
            if (batch.recordCount() == 1 && batch.uncompressedSizeInBytes() > maxBatchBytes) {
                tooLarge.put(
                        index,
                        RecordErrors.error(
                                ErrorCode.BATCH_TOO_LARGE,
                                "records[" + index + "] is " + batch.uncompressedSizeInBytes()
                                        + " bytes as a batch of its own, more than the " + maxBatchBytes
                                        + " bytes topic '" + topic + "' accepts (max.message.bytes)",
                                null));
                batch = null;
                continue;
            }
            appended.add(index);
        }
        if (batch != null) {
            built.add(batch.build());
        }
        return new Encoded(concatenated(built), appended, tooLarge);
    }

    /**
     * The most bytes the record can take in a batch, every varint at its widest and three UTF-8 bytes per char
     * of a header key, as the Java client estimates it.
     */
    private static long sizeUpperBound(PublishRecord record) {
        long size = 5
                + 1
                + 10
                + 5
                + 5
                + 5
                + 5
                + record.getKey().size()
                + record.getValue().size();
        for (RecordHeader header : record.getHeadersList()) {
            size += 5 + 3L * header.getKey().length() + 5 + header.getValue().size();
        }
        return size;
    }

    private static List<Header> headers(PublishRecord record) {
        List<Header> headers = new ArrayList<>(record.getHeadersCount());
        for (RecordHeader header : record.getHeadersList()) {
            headers.add(new Header(
                    header.getKey(), header.hasValue() ? header.getValue().toByteArray() : null));
        }
        return headers;
    }

    private static ByteBuffer concatenated(List<ByteBuffer> batches) {
        if (batches.size() == 1) {
            return batches.get(0);
        }
        ByteBuffer all = ByteBuffer.allocate(
                batches.stream().mapToInt(ByteBuffer::remaining).sum());
        batches.forEach(b -> all.put(b.duplicate()));
        return all.flip();
    }
}
