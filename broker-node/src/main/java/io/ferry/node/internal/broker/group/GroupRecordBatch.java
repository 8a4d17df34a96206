package io.ferry.node.internal.broker.group;

import io.ferry.group.GroupRecord;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.List;

/** The one batch a coordinator appends for the records of one operation. */
final class GroupRecordBatch {

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
}
