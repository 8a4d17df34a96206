package io.ferry.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/** A record to write, and helpers that write and read batches with Ferry and with Kafka's clients. */
record TestRecord(long timestamp, byte[] key, byte[] value, List<Header> headers) {

    /** A decoded record in a form that compares by content. */
    record Read(long offset, long timestamp, String key, String value, List<String> headers) {}

    static Read read(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<String> headers) {
        return new Read(offset, timestamp, hex(key), hex(value), headers);
    }

    static String hex(ByteBuffer buffer) {
        if (buffer == null) {
            return "null";
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }

    /** What a reader should see for these records written at {@code baseOffset} with CreateTime. */
    static List<Read> expected(List<TestRecord> records, long baseOffset) {
        List<Read> result = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            TestRecord r = records.get(i);
            result.add(new Read(
                    baseOffset + i,
                    r.timestamp,
                    hex(r.key),
                    hex(r.value),
                    r.headers.stream().map(h -> h.key() + "=" + hex(h.value())).toList()));
        }
        return result;
    }

    static Compression kafkaCompression(CompressionType type) {
        return Compression.of(type.configName).build();
    }

    static ByteBuffer buildWithFerry(CompressionType type, List<TestRecord> records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(type);
        for (TestRecord r : records) {
            builder.append(r.timestamp, r.key, r.value, r.headers);
        }
        return builder.build();
    }

    static ByteBuffer buildWithKafka(CompressionType type, List<TestRecord> records, long baseOffset) {
        return buildWithKafka(type, records, baseOffset, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP);
    }

    static ByteBuffer buildWithKafka(
            CompressionType type,
            List<TestRecord> records,
            long baseOffset,
            TimestampType timestampType,
            long logAppendTime) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(1024),
                RecordBatch.MAGIC,
                kafkaCompression(type),
                timestampType,
                baseOffset,
                logAppendTime);
        for (TestRecord r : records) {
            org.apache.kafka.common.header.Header[] headers = r.headers.stream()
                    .map(h -> new RecordHeader(h.key(), h.value()))
                    .toArray(org.apache.kafka.common.header.Header[]::new);
            builder.append(r.timestamp, r.key, r.value, headers);
        }
        return builder.build().buffer();
    }

    /** Reads with Kafka's clients, which validate each batch ({@code ensureValid}) first. */
    static List<Read> readWithKafka(ByteBuffer batches) {
        List<Read> result = new ArrayList<>();
        for (MutableRecordBatch batch :
                MemoryRecords.readableRecords(batches.duplicate()).batches()) {
            batch.ensureValid();
            for (org.apache.kafka.common.record.internal.Record r : batch) {
                List<String> headers = new ArrayList<>();
                for (org.apache.kafka.common.header.Header h : r.headers()) {
                    headers.add(h.key() + "=" + hex(h.value()));
                }
                result.add(read(r.offset(), r.timestamp(), r.key(), r.value(), headers));
            }
        }
        return result;
    }

    /** Reads with Ferry, validating each batch, then deep-validating it. */
    static List<Read> readWithFerry(ByteBuffer batches) throws CorruptBatchException {
        List<Read> result = new ArrayList<>();
        BatchScanner scanner = BatchScanner.of(batches);
        for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
            batch.validateRecords();
            RecordIterator records = batch.records();
            while (records.hasNext()) {
                Record r = records.next();
                result.add(read(
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        r.value(),
                        r.headers().stream()
                                .map(h -> h.key() + "=" + hex(h.value()))
                                .toList()));
            }
        }
        return result;
    }
}
