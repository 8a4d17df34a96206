package io.ferry.storage.internal;

/**
 * What one of a producer's batches left in the log, enough to recognise a retry of it and answer the
 * offsets it got (Kafka's {@code BatchMetadata}).
 *
 * @param lastSeq     the sequence of the batch's last record
 * @param lastOffset  the offset of the batch's last record
 * @param offsetDelta the batch's last offset delta: both its sequences and its offsets span this many plus one
 * @param timestamp   the batch's max timestamp, ms since the epoch (producer expiration counts from it, as in Kafka)
 */
public record BatchMetadata(int lastSeq, long lastOffset, int offsetDelta, long timestamp) {

    public int firstSeq() {
        return Sequences.decrement(lastSeq, offsetDelta);
    }

    public long firstOffset() {
        return lastOffset - offsetDelta;
    }
}
