package io.ferry.node.internal.broker.group;

import io.ferry.group.GroupRecord;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.ferry.storage.Log;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.util.function.Consumer;

/**
 * Reads a {@code __consumer_offsets} partition's log from its start to its end, handing every record to the
 * coordinator being loaded, in offset order. Reads go through the log's read API a chunk at a time, so a
 * large partition is never on the heap whole.
 */
final class GroupLogReader {

    /** Bytes per read: a few batches of the default {@code message.max.bytes}. */
    static final int READ_BYTES = 4 << 20;

    private GroupLogReader() {}

    /** How a load went: the offset the log ended at when it began, records replayed, keyless ones skipped. */
    record Loaded(long endOffset, long records, long skipped) {}

    /**
     * Replays every keyed record from the log start to the log end as it is now. Records appended meanwhile are
     * not read: the caller is the partition's only writer and appends nothing while it loads.
     *
     * @throws CorruptBatchException a batch below the log end does not decode
     * @throws OffsetOutOfRangeException the log start moved past the reader (records deleted meanwhile)
     */
    static Loaded replay(Log log, Consumer<GroupRecord> replay)
            throws CorruptBatchException, OffsetOutOfRangeException {
        long end = log.logEndOffset();
        long offset = log.logStartOffset();
        long records = 0;
        long skipped = 0;
        while (offset < end) {
            LogReadResult read = log.read(offset, READ_BYTES, end);
            if (read.isEmpty()) {
                break;
            }
            try {
                BatchScanner batches = BatchScanner.of(read.records());
                for (RecordBatch batch = batches.next(); batch != null; batch = batches.next()) {
                    for (RecordIterator it = batch.records(); it.hasNext(); ) {
                        Record record = it.next();
                        if (!record.hasKey() || batch.isControl()) {
                            skipped++;
                            continue;
                        }
                        replay.accept(new GroupRecord(record.keyBytes(), record.valueBytes()));
                        records++;
                    }
                    offset = batch.nextOffset();
                }
            } finally {
                read.lease().release();
            }
        }
        return new Loaded(end, records, skipped);
    }
}
