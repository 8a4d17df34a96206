package io.ferry.storage.internal;

import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordsScan;
import io.ferry.record.TimestampType;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendException.Reason;
import io.ferry.storage.LogConfig;
import java.util.List;

/**
 * What a leader checks in the batches a producer sent, beyond their framing and CRC
 * ({@link AppendValidation}), before it gives them offsets: the rules of Kafka's {@code LogValidator}
 * for magic-2 batches, so that nothing a consumer cannot read is ever acknowledged, stored or
 * replicated. Followers do not repeat this; they trust the leader and check framing and CRC.
 *
 * <ul>
 *   <li>Attributes: only the codec and the timestamp type are a producer's to set. Transactional and
 *       control batches (Ferry has no transactions) and the log cleaner's delete-horizon bit are refused,
 *       as are bits no version of the format defines.</li>
 *   <li>Offsets: at least one record and {@code lastOffsetDelta == count - 1}; as the records' offset
 *       deltas strictly increase within 0..lastOffsetDelta, they are then exactly 0..count-1 (gaps are a
 *       compacted log's, never a producer's).</li>
 *   <li>Records: every record parses, exactly to the end of the (decompressed) section, with every
 *       length in range; a compressed batch must decompress, within
 *       {@link RecordBatch#DEFAULT_MAX_UNCOMPRESSED_BYTES}.</li>
 *   <li>Producer fields: a producer id of -1 or more, and a base sequence of 0 or more with one.</li>
 *   <li>Keys: on a compacted topic ({@code cleanup.policy} with {@code compact}) every record has a key.</li>
 *   <li>Timestamps: with CreateTime, no batch marked LogAppendTime, no record timestamp below -1, and every
 *       stamped record within {@code message.timestamp.before.max.ms} / {@code after.max.ms} of the
 *       leader's clock; the batch's max timestamp is then set to its records' largest, as Kafka does, so
 *       the time index and retention see what the records say. With LogAppendTime the leader stamps its
 *       clock.</li>
 * </ul>
 *
 * <p>Everything is checked before anything is changed: a request's partition is appended whole or not at
 * all. Records are walked, not decoded into objects ({@link RecordBatch#scanRecords}), so an uncompressed
 * batch costs one pass over its bytes and no allocation per record.
 */
public final class ProducedBatchValidation {

    /** Attribute bits a producer may set: the codec and the timestamp type. */
    private static final int PRODUCER_ATTRIBUTES = RecordBatch.COMPRESSION_CODEC_MASK | RecordBatch.TIMESTAMP_TYPE_MASK;

    private ProducedBatchValidation() {}

    /**
     * Checks every batch of one append (already validated by {@link AppendValidation}), then sets each
     * batch's timestamp type and max timestamp for {@code config}, recomputing its CRC where they change.
     *
     * @param nowMs the leader's clock, milliseconds since the epoch
     * @return the log append time stamped into the batches, or -1 for a CreateTime log
     * @throws LogAppendException INVALID_RECORD or INVALID_TIMESTAMP naming the batch; nothing was changed
     */
    public static long validateAndStamp(List<RecordBatch> batches, LogConfig config, long nowMs)
            throws LogAppendException {
        RecordsScan[] scans = new RecordsScan[batches.size()];
        int position = 0;
        for (int i = 0; i < batches.size(); i++) {
            RecordBatch batch = batches.get(i);
            scans[i] = validate(batch, config, nowMs, new Located(i, position, batch.sizeInBytes()));
            position += batch.sizeInBytes();
        }
        boolean logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME;
        for (int i = 0; i < batches.size(); i++) {
            batches.get(i).setMaxTimestamp(config.timestampType(), logAppendTime ? nowMs : scans[i].maxTimestamp());
        }
        return logAppendTime ? nowMs : -1;
    }

    private static RecordsScan validate(RecordBatch batch, LogConfig config, long nowMs, Located name)
            throws LogAppendException {
        int refusedBits = batch.attributes() & ~PRODUCER_ATTRIBUTES & 0xFFFF;
        if (refusedBits != 0) {
            throw invalidRecord(
                    name,
                    "attributes 0x" + Integer.toHexString(batch.attributes() & 0xFFFF)
                            + " set bits a producer may not set (" + describeBits(refusedBits) + ")");
        }
        int count = batch.recordCount();
        if (count <= 0 || batch.lastOffsetDelta() != count - 1) {
            throw invalidRecord(
                    name,
                    "record count " + count + " and last offset delta " + batch.lastOffsetDelta()
                            + " disagree: a producer's batch holds at least one record, at offset deltas 0 to count - 1");
        }
        if (batch.producerId() < RecordBatch.NO_PRODUCER_ID
                || (batch.producerId() != RecordBatch.NO_PRODUCER_ID && batch.baseSequence() < 0)) {
            throw invalidRecord(
                    name,
                    "producer id " + batch.producerId() + " with base sequence "
                            + batch.baseSequence()
                            + " is invalid: a producer id is -1 or more, and a batch with one has a"
                            + " base sequence of 0 or more");
        }
        RecordsScan scan;
        try {
            scan = batch.scanRecords(RecordBatch.DEFAULT_MAX_UNCOMPRESSED_BYTES);
        } catch (CorruptBatchException e) {
            throw new LogAppendException(
                    Reason.INVALID_RECORD,
                    name + " (" + batch.compression().configName + ", " + count + " records) is invalid: "
                            + e.getMessage(),
                    e);
        }
        if (config.cleanupPolicy().compacts() && scan.firstKeylessRecord() >= 0) {
            throw invalidRecord(
                    name,
                    "record " + scan.firstKeylessRecord() + " has no key, and the topic is compacted (cleanup.policy="
                            + config.cleanupPolicy().configValue() + "): compaction keeps the latest record per key,"
                            + " so every record needs one");
        }
        if (config.timestampType() == TimestampType.CREATE_TIME) {
            checkTimestamps(batch, scan, config, nowMs, name);
        }
        return scan;
    }

    private static void checkTimestamps(RecordBatch batch, RecordsScan scan, LogConfig config, long nowMs, Located name)
            throws LogAppendException {
        if (batch.isLogAppendTime()) {
            throw invalidTimestamp(
                    name,
                    "is marked LogAppendTime, which only a leader sets; the topic's"
                            + " message.timestamp.type is CreateTime");
        }
        if (scan.minStampedTimestamp() == Long.MAX_VALUE) {
            return; // no record carries a timestamp
        }
        if (scan.minStampedTimestamp() < RecordBatch.NO_TIMESTAMP) {
            throw invalidTimestamp(
                    name,
                    "has a record timestamp of " + scan.minStampedTimestamp()
                            + "; timestamps are milliseconds since the epoch, or -1 for none");
        }
        long earliest = saturatedSubtract(nowMs, config.timestampBeforeMaxMs());
        long latest = saturatedAdd(nowMs, config.timestampAfterMaxMs());
        if (scan.minStampedTimestamp() < earliest || scan.maxTimestamp() > latest) {
            long outside = scan.minStampedTimestamp() < earliest ? scan.minStampedTimestamp() : scan.maxTimestamp();
            throw invalidTimestamp(
                    name,
                    "has a record timestamp " + outside + " outside [" + earliest + ", " + latest
                            + "], the broker's clock " + nowMs + " minus message.timestamp.before.max.ms "
                            + config.timestampBeforeMaxMs() + " and plus message.timestamp.after.max.ms "
                            + config.timestampAfterMaxMs());
        }
    }

    private static String describeBits(int bits) {
        StringBuilder names = new StringBuilder();
        appendIf(names, bits, RecordBatch.TRANSACTIONAL_MASK, "transactional: Ferry has no transactions");
        appendIf(names, bits, RecordBatch.CONTROL_MASK, "control: only a broker writes control records");
        appendIf(names, bits, RecordBatch.DELETE_HORIZON_MASK, "delete horizon: only the log cleaner sets it");
        int unknown =
                bits & ~(RecordBatch.TRANSACTIONAL_MASK | RecordBatch.CONTROL_MASK | RecordBatch.DELETE_HORIZON_MASK);
        appendIf(names, bits, unknown, "0x" + Integer.toHexString(unknown) + ": undefined");
        return names.toString();
    }

    private static void appendIf(StringBuilder names, int bits, int mask, String name) {
        if (mask != 0 && (bits & mask) == mask) {
            names.append(names.isEmpty() ? "" : "; ").append(name);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedSubtract(long a, long b) {
        long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? Long.MIN_VALUE : difference;
    }

    /** Where a batch is in the append, for error messages; put into words only when one is raised. */
    private record Located(int index, int position, int size) {
        @Override
        public String toString() {
            return "batch " + index + " (bytes " + position + ".." + (position + size) + " of the partition's records)";
        }
    }

    private static LogAppendException invalidRecord(Located name, String problem) {
        return new LogAppendException(Reason.INVALID_RECORD, name + " is invalid: " + problem);
    }

    private static LogAppendException invalidTimestamp(Located name, String problem) {
        return new LogAppendException(Reason.INVALID_TIMESTAMP, name + " " + problem);
    }
}
