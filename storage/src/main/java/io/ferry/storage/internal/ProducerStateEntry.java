package io.ferry.storage.internal;

import io.ferry.record.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One producer's state in one partition (Kafka's {@code ProducerStateEntry}): its epoch and its last
 * {@link #BATCHES_KEPT} batches of that epoch, oldest first. Immutable.
 *
 * @param lastTimestamp the max timestamp of its last batch, which expiration counts from
 */
public record ProducerStateEntry(long producerId, short epoch, List<BatchMetadata> batches, long lastTimestamp) {

    /**
     * As Kafka: a producer has at most five requests in flight per partition
     * ({@code max.in.flight.requests.per.connection} with idempotence), so a retry is one of its last five.
     */
    public static final int BATCHES_KEPT = 5;

    public ProducerStateEntry {
        batches = List.copyOf(batches);
        if (batches.isEmpty() || batches.size() > BATCHES_KEPT) {
            throw new IllegalArgumentException(
                    "producer " + producerId + " holds " + batches.size() + " batches, not 1 to " + BATCHES_KEPT);
        }
    }

    /** The state of a producer first seen in {@code batch}. */
    static ProducerStateEntry first(RecordBatch batch) {
        BatchMetadata metadata = metadataOf(batch);
        return new ProducerStateEntry(
                batch.producerId(), batch.producerEpoch(), List.of(metadata), metadata.timestamp());
    }

    /** The state after {@code batch}, of this producer, was appended: a new epoch forgets the old one's batches. */
    ProducerStateEntry with(RecordBatch batch) {
        BatchMetadata metadata = metadataOf(batch);
        List<BatchMetadata> kept = new ArrayList<>(BATCHES_KEPT);
        if (batch.producerEpoch() == epoch) {
            kept.addAll(batches.subList(Math.max(0, batches.size() - BATCHES_KEPT + 1), batches.size()));
        }
        kept.add(metadata);
        return new ProducerStateEntry(producerId, batch.producerEpoch(), kept, metadata.timestamp());
    }

    public BatchMetadata lastBatch() {
        return batches.get(batches.size() - 1);
    }

    public int lastSeq() {
        return lastBatch().lastSeq();
    }

    /** The kept batch {@code batch} retries (same epoch, same first and last sequence), if any. */
    Optional<BatchMetadata> duplicateOf(RecordBatch batch) {
        if (batch.producerEpoch() != epoch) {
            return Optional.empty();
        }
        int lastSeq = Sequences.lastSeq(batch);
        return batches.stream()
                .filter(b -> b.firstSeq() == batch.baseSequence() && b.lastSeq() == lastSeq)
                .findFirst();
    }

    private static BatchMetadata metadataOf(RecordBatch batch) {
        return new BatchMetadata(
                Sequences.lastSeq(batch), batch.lastOffset(), batch.lastOffsetDelta(), batch.maxTimestamp());
    }
}
