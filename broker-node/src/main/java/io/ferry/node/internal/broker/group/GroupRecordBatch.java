package io.ferry.node.internal.broker.group;

import io.ferry.group.GroupRecord;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.List;

/** The batch a coordinator appends for the records of the operations it gathered. */
final class GroupRecordBatch {

    /**
     * The most a record's framing adds to its key and value (RecordBatch v2: length, timestamp and offset
     * deltas, key and value lengths and header count as varints, one attributes byte).
     */
    private static final int RECORD_OVERHEAD_BOUND = 5 + 1 + 10 + 5 + 5 + 5 + 5;

    private GroupRecordBatch() {}

    /**
     * The records as one uncompressed batch (Kafka's {@code offsets.topic.compression.codec} default), each
     * stamped with {@code timestampMs}; a record with a null value is a tombstone, which compaction removes
     * with its key.
     */
    static ByteBuffer of(List<GroupRecord> records, long timestampMs) {
        RecordBatchBuilder batch = RecordBatchBuilder.create(CompressionType.NONE);
        for (GroupRecord record : records) {
            batch.append(timestampMs, record.key(), record.value());
        }
        return batch.build();
    }

    /** At least the bytes the records take in a batch, without its header: what they add to one. */
    static long sizeBound(List<GroupRecord> records) {
        long bytes = 0;
        for (GroupRecord record : records) {
            bytes += RECORD_OVERHEAD_BOUND + record.key().length + (record.isTombstone() ? 0 : record.value().length);
        }
        return bytes;
    }

    /** The bytes a batch of records taking {@code recordBytes} (see {@link #sizeBound}) takes at most. */
    static long batchBound(long recordBytes) {
        return RecordBatch.HEADER_SIZE + recordBytes;
    }
}
