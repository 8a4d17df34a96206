package io.ferry.node.internal.broker.records;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.RecordHeader;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Header;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the batches leaders answer into SubscribeResponses: records decoded (any codec) and copied out of the
 * log's bytes, those below the partition's next offset skipped (a read returns whole batches, which may start
 * before it) and control batches skipped, as Kafka's consumer does. A response carries at most
 * {@code maxBytes} of record bytes, or a single record when one is larger.
 *
 * <p>Not thread-safe: one per read answer.
 */
final class RecordDecoder {

    private final int maxBytes;
    private final List<SubscribeResponse> responses = new ArrayList<>();
    private SubscribeResponse.Builder current = SubscribeResponse.newBuilder();
    private long currentBytes;

    RecordDecoder(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Decodes the records of {@code partition} in {@code batches} at or after {@code nextOffset}.
     *
     * @return the partition's next offset after them
     */
    long decode(int partition, ByteBuffer batches, long nextOffset) throws CorruptBatchException {
        long next = nextOffset;
        BatchScanner scanner = BatchScanner.of(batches);
        for (RecordBatch batch = scanner.nextShallow(); batch != null; batch = scanner.nextShallow()) {
            if (batch.nextOffset() <= next) {
                continue;
            }
            if (!batch.isControl()) {
                boolean logAppendTime = batch.isLogAppendTime();
                RecordIterator records = batch.records();
                while (records.hasNext()) {
                    Record record = records.next();
                    if (record.offset() >= next) {
                        add(consumed(partition, record, logAppendTime), record.sizeInBytes());
                    }
                }
            }
            next = batch.nextOffset();
        }
        return next;
    }

    /** The responses decoded so far, none empty. */
    List<SubscribeResponse> responses() {
        if (current.getRecordsCount() > 0) {
            responses.add(current.build());
            current = SubscribeResponse.newBuilder();
            currentBytes = 0;
        }
        return responses;
    }

    private void add(ConsumedRecord record, int bytes) {
        if (currentBytes + bytes > maxBytes && current.getRecordsCount() > 0) {
            responses.add(current.build());
            current = SubscribeResponse.newBuilder();
            currentBytes = 0;
        }
        current.addRecords(record);
        currentBytes += bytes;
    }

    private static ConsumedRecord consumed(int partition, Record record, boolean logAppendTime) {
        ConsumedRecord.Builder consumed = ConsumedRecord.newBuilder()
                .setPartition(partition)
                .setOffset(record.offset())
                .setTimestampMs(record.timestamp())
                .setLogAppendTime(logAppendTime);
        if (record.hasKey()) {
            consumed.setKey(ByteString.copyFrom(record.key()));
        }
        if (record.hasValue()) {
            consumed.setValue(ByteString.copyFrom(record.value()));
        }
        for (Header header : record.headers()) {
            RecordHeader.Builder h = RecordHeader.newBuilder().setKey(header.key());
            if (header.value() != null) {
                h.setValue(ByteString.copyFrom(header.value()));
            }
            consumed.addHeaders(h);
        }
        return consumed.build();
    }
}
