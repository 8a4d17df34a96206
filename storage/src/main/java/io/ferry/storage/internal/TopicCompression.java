package io.ferry.storage.internal;

import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import io.ferry.storage.LogAppendException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's conversion of a producer's batches to the topic's {@code compression.type}, as Kafka's
 * {@code LogValidator} converts a batch whose codec differs from the topic's: the records are decoded and written
 * into a batch of the topic's codec that keeps everything else (offset deltas, timestamps as stamped, producer id,
 * epoch and sequence), so a retried batch is still recognised. Batches already in the codec are copied as they are.
 * Runs after {@link ProducedBatchValidation}, on batches whose records are known to decode.
 */
public final class TopicCompression {

    private TopicCompression() {}

    /**
     * {@code batches} with every batch in {@code target}: the same buffer when all are already, else a new direct
     * buffer holding the converted append.
     *
     * @throws LogAppendException INVALID_RECORD if a batch's records do not decode (validation let through
     *                            what it should not have)
     */
    public static ByteBuffer convert(ByteBuffer batches, List<RecordBatch> parsed, CompressionType target)
            throws LogAppendException {
        if (parsed.stream().allMatch(batch -> batch.compression() == target)) {
            return batches;
        }
        List<ByteBuffer> converted = new ArrayList<>(parsed.size());
        long size = 0;
        for (int i = 0; i < parsed.size(); i++) {
            RecordBatch batch = parsed.get(i);
            ByteBuffer bytes = batch.compression() == target ? batch.buffer() : recompressed(batch, target, i);
            converted.add(bytes);
            size += bytes.remaining();
        }
        if (size > Integer.MAX_VALUE) {
            throw new LogAppendException(
                    LogAppendException.Reason.BATCH_TOO_LARGE,
                    "the append is " + size + " bytes once stored in " + target.configName);
        }
        ByteBuffer append = ByteBuffer.allocateDirect((int) size);
        converted.forEach(append::put);
        return append.flip();
    }

    private static ByteBuffer recompressed(RecordBatch batch, CompressionType target, int index)
            throws LogAppendException {
        RecordBatchBuilder builder = RecordBatchBuilder.recompressing(batch, target);
        try {
            RecordIterator records = batch.records(RecordBatch.DEFAULT_MAX_UNCOMPRESSED_BYTES);
            while (records.hasNext()) {
                builder.appendKept(records.next());
            }
        } catch (CorruptBatchException e) {
            throw new LogAppendException(
                    LogAppendException.Reason.INVALID_RECORD,
                    "batch " + index + " does not decode for conversion to " + target.configName + ": "
                            + e.getMessage(),
                    e);
        }
        return builder.build();
    }
}
