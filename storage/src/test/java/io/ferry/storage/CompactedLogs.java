package io.ferry.storage;

import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keyed batches for compaction tests, and a log read from its start taken apart. */
final class CompactedLogs {

    private CompactedLogs() {}

    /** One record to write: a null value is a tombstone, a null key a keyless record. */
    record KeyValue(String key, String value) {}

    static ByteBuffer keyed(CompressionType codec, long timestamp, List<KeyValue> records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(codec);
        for (KeyValue kv : records) {
            builder.append(timestamp, utf8(kv.key()), utf8(kv.value()));
        }
        return builder.build();
    }

    /** Every batch from the log start to the log end, copied to the heap (leases released). */
    static List<RecordBatch> readAll(Log log) throws OffsetOutOfRangeException {
        List<RecordBatch> batches = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogReadResult result = log.read(offset, 1 << 20, Long.MAX_VALUE);
            try {
                List<RecordBatch> read = TestBatches.batches(ByteBuffer.wrap(TestBatches.bytes(result.records())));
                if (read.isEmpty()) {
                    break;
                }
                batches.addAll(read);
                offset = read.get(read.size() - 1).nextOffset();
            } finally {
                result.lease().release();
            }
        }
        return batches;
    }

    /** Every record of {@code batches}, in order. */
    static List<Record> records(List<RecordBatch> batches) {
        List<Record> records = new ArrayList<>();
        try {
            for (RecordBatch batch : batches) {
                RecordIterator iterator = batch.records();
                while (iterator.hasNext()) {
                    records.add(iterator.next());
                }
            }
        } catch (CorruptBatchException e) {
            throw new AssertionError(e);
        }
        return records;
    }

    /** Key to its last value in {@code records} (a null value for a tombstone), in first-seen order. */
    static Map<String, String> latest(List<Record> records) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (Record record : records) {
            if (record.hasKey()) {
                latest.put(string(record.keyBytes()), string(record.valueBytes()));
            }
        }
        return latest;
    }

    static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
