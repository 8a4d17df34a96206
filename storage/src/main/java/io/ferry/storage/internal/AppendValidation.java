package io.ferry.storage.internal;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that an append holds only whole, valid batches the log can take, before any byte is written: their
 * framing and size, and (under the log's lock, as they depend on its end and latest epoch) their offsets and
 * leader epochs.
 */
public final class AppendValidation {

    private AppendValidation() {}

    /**
     * Every batch in {@code batches}, fully validated (length, magic, codec, record count, CRC-32C) and
     * no larger than {@code max.message.bytes} or {@code segment.bytes}.
     */
    public static List<RecordBatch> validate(ByteBuffer batches, LogConfig config) throws LogAppendException {
        BatchScanner scanner = BatchScanner.of(batches);
        List<RecordBatch> parsed = new ArrayList<>();
        while (true) {
            RecordBatch batch;
            try {
                batch = scanner.next();
            } catch (CorruptBatchException e) {
                throw new LogAppendException(
                        LogAppendException.Reason.CORRUPT_BATCH,
                        "batch " + parsed.size() + " at byte " + scanner.position() + " is invalid: " + e.getMessage(),
                        e);
            }
            if (batch == null) {
                break;
            }
            int limit = Math.min(config.maxMessageBytes(), config.segmentBytes());
            if (batch.sizeInBytes() > limit) {
                throw new LogAppendException(
                        LogAppendException.Reason.BATCH_TOO_LARGE,
                        "batch of " + batch.sizeInBytes() + " bytes exceeds the limit of " + limit
                                + " bytes (max.message.bytes " + config.maxMessageBytes() + ", segment.bytes "
                                + config.segmentBytes() + ")");
            }
            parsed.add(batch);
        }
        if (parsed.isEmpty()) {
            throw new LogAppendException(LogAppendException.Reason.EMPTY, "the append holds no batch");
        }
        return parsed;
    }

    /**
     * Checks that a leader appends in an epoch no older than {@code latestEpoch}, the log's latest: an
     * older one is a leadership the log has already seen end.
     */
    public static void checkLeaderEpoch(int leaderEpoch, int latestEpoch) throws LogAppendException {
        if (leaderEpoch < latestEpoch) {
            throw new LogAppendException(
                    LogAppendException.Reason.INVALID_LEADER_EPOCH,
                    "leader epoch " + leaderEpoch + " is below the log's latest epoch " + latestEpoch);
        }
    }

    /**
     * Checks a follower's batches against the log: the first starts at or after {@code logEnd} and each
     * next one at or after where the previous ended (a compacted leader's log has gaps, as Kafka's
     * follower accepts them), each carries a leader epoch, and epochs never go below {@code latestEpoch}
     * (the log's latest) nor decrease.
     */
    public static void checkFollowerBatches(List<RecordBatch> parsed, long logEnd, int latestEpoch)
            throws LogAppendException {
        long expected = logEnd;
        for (RecordBatch batch : parsed) {
            if (batch.baseOffset() < expected) {
                throw new LogAppendException(
                        LogAppendException.Reason.NON_CONTIGUOUS_OFFSET,
                        "batch starts at offset " + batch.baseOffset() + " but the log expects " + expected
                                + " or later (log end offset " + logEnd + ")");
            }
            expected = batch.nextOffset();
        }
        int epoch = latestEpoch;
        for (RecordBatch batch : parsed) {
            if (batch.partitionLeaderEpoch() < 0) {
                throw new LogAppendException(
                        LogAppendException.Reason.INVALID_LEADER_EPOCH,
                        "batch at offset " + batch.baseOffset()
                                + " carries no leader epoch; a leader stamps every batch");
            }
            if (batch.partitionLeaderEpoch() < epoch) {
                throw new LogAppendException(
                        LogAppendException.Reason.INVALID_LEADER_EPOCH,
                        "batch at offset " + batch.baseOffset() + " has leader epoch " + batch.partitionLeaderEpoch()
                                + ", below the latest epoch " + epoch + " before it: truncate to the leader's"
                                + " history first");
            }
            epoch = batch.partitionLeaderEpoch();
        }
    }

    /**
     * A writable copy of a read-only buffer, so offsets can be patched into it. Direct, because the
     * segment write from a heap buffer would make the JDK copy it once more into a temporary direct
     * buffer before {@code pwrite}.
     */
    public static ByteBuffer copy(ByteBuffer readOnly) {
        ByteBuffer copy = ByteBuffer.allocateDirect(readOnly.remaining());
        copy.put(readOnly.duplicate()).flip();
        return copy;
    }
}
