package io.ferry.storage.internal;

import io.ferry.record.RecordBatch;
import java.util.Optional;

/**
 * What a producer's batch, or a run of its batches appended back to back ({@link ProducerStateEntry}),
 * left in the log: enough to recognise a retry of any of them and answer the offsets it got (Kafka's
 * {@code BatchMetadata}, which describes one batch).
 *
 * @param lastSeq     the sequence of the last record
 * @param lastOffset  the offset of the last record
 * @param offsetDelta both the sequences and the offsets span this many plus one
 * @param timestamp   the max timestamp of the last batch, ms since the epoch (producer expiration counts
 *                    from it, as in Kafka)
 */
public record BatchMetadata(int lastSeq, long lastOffset, int offsetDelta, long timestamp) {

    static BatchMetadata of(RecordBatch batch) {
        return new BatchMetadata(
                Sequences.lastSeq(batch), batch.lastOffset(), batch.lastOffsetDelta(), batch.maxTimestamp());
    }

    public int firstSeq() {
        return Sequences.decrement(lastSeq, offsetDelta);
    }

    public long firstOffset() {
        return lastOffset - offsetDelta;
    }

    /**
     * Whether {@code batch} (of the same producer and epoch) extends this run: it starts at the next
     * offset with the next sequence. Runs never wrap their sequences past {@link Integer#MAX_VALUE}, so
     * one that would stays a batch of its own (found by its exact sequences only).
     */
    boolean continuedBy(RecordBatch batch) {
        int batchLastSeq = Sequences.lastSeq(batch);
        return batch.baseOffset() == lastOffset + 1
                && batch.baseSequence() == lastSeq + 1L
                && firstSeq() <= lastSeq
                && batch.baseSequence() <= batchLastSeq;
    }

    BatchMetadata extendedBy(RecordBatch batch) {
        return new BatchMetadata(
                Sequences.lastSeq(batch),
                batch.lastOffset(),
                offsetDelta + batch.lastOffsetDelta() + 1,
                batch.maxTimestamp());
    }

    /**
     * The records with sequences {@code firstSeq} to {@code lastSeq} as this run holds them: their
     * offsets (their timestamp is the run's), or empty if the run does not hold all of them. A run that
     * wraps its sequences is one batch, matched only whole.
     */
    Optional<BatchMetadata> part(int firstSeq, int lastSeq) {
        if (firstSeq == firstSeq() && lastSeq == this.lastSeq) {
            return Optional.of(this);
        }
        boolean inside =
                firstSeq() <= this.lastSeq && firstSeq <= lastSeq && firstSeq >= firstSeq() && lastSeq <= this.lastSeq;
        if (!inside) {
            return Optional.empty();
        }
        long partLastOffset = firstOffset() + (lastSeq - firstSeq());
        return Optional.of(new BatchMetadata(lastSeq, partLastOffset, lastSeq - firstSeq, timestamp));
    }
}
