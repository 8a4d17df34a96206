package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;

/**
 * The consumer met a batch it cannot decode (written, for instance, by a broker that did not yet
 * validate records), at its position in {@link #partition()}. The records before the batch were
 * returned by earlier polls; the consumer's position is at the batch, and each poll reports it again
 * until the application moves past it: {@code seek(partition(), nextOffset())} skips exactly this
 * batch (as Kafka's {@code RecordDeserializationException} carries the partition and offset to seek
 * past), or set {@code skip.corrupt.batches=true} to have the consumer do so itself. When
 * {@link #nextOffset()} is -1 nothing the leader returned says where the batch ends; {@code ferry topic
 * dump} shows the batches after it.
 *
 * <p>Code {@link ErrorCode#CORRUPT_BATCH}, not retriable.
 */
public final class CorruptRecordBatchException extends FerryException {

    private static final long serialVersionUID = 1L;

    private final TopicPartition partition;
    private final long baseOffset;
    private final long nextOffset;
    private final FetchedBatch.End end;
    private final Problem problem;
    private final String description;

    /** @param cause the decoder's reason: the batch's header problem or its first undecodable record */
    public CorruptRecordBatchException(TopicPartition partition, FetchedBatch batch, CorruptBatchException cause) {
        super(
                ErrorCode.CORRUPT_BATCH,
                false,
                description(partition, batch, cause) + "; "
                        + (batch.nextOffset() < 0
                                ? "find the next readable batch with 'ferry topic dump' and seek to it"
                                : "seek to " + batch.nextOffset() + " to skip it"),
                cause);
        this.partition = partition;
        this.baseOffset = batch.baseOffset();
        this.nextOffset = batch.nextOffset();
        this.end = batch.end();
        this.problem = cause.problem();
        this.description = description(partition, batch, cause);
    }

    private static String description(TopicPartition partition, FetchedBatch batch, CorruptBatchException cause) {
        String where = batch.nextOffset() < 0
                ? "at offset " + batch.baseOffset() + " (where it ends is unknown)"
                : "at offsets " + batch.baseOffset() + ".." + batch.lastOffset() + endSource(batch.end());
        return partition + ": the batch " + where + " cannot be decoded: " + cause.problem() + ": "
                + cause.getMessage();
    }

    private static String endSource(FetchedBatch.End end) {
        return switch (end) {
            case NEXT_BATCH -> " (its end is where the next batch starts)";
            case UNCHECKED_HEADER -> " (its end is from a header that failed its checks)";
            default -> "";
        };
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Offset of the batch's first record, or where the batch was expected when its header is unreadable. */
    public long baseOffset() {
        return baseOffset;
    }

    /** Offset of the batch's last record; -1 when unknown. */
    public long lastOffset() {
        return nextOffset < 0 ? -1 : nextOffset - 1;
    }

    /** The offset to seek to in order to skip the batch, {@code lastOffset() + 1}; -1 when unknown. */
    public long nextOffset() {
        return nextOffset;
    }

    /** How the end of the batch was found. */
    public FetchedBatch.End end() {
        return end;
    }

    /**
     * The partition, the batch's offsets and the decoder's reason: the message without its advice on
     * how to get past the batch, for callers that give their own.
     */
    public String description() {
        return description;
    }

    /** What the decoder found wrong; its message is {@link #getCause()}'s. */
    public Problem problem() {
        return problem;
    }
}
