package io.ferry.storage.internal;

import io.ferry.record.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One producer's state in one partition (Kafka's {@code ProducerStateEntry}): its epoch and its last
 * {@link #RUNS_KEPT} runs of that epoch, oldest first. Immutable.
 *
 * <p>A run is one batch, or several of the producer's batches that follow each other in the log with no
 * other batch between them and with consecutive sequences, so that within a run a record's offset is the
 * run's first offset plus its sequence's distance from the run's first sequence. Kafka keeps five batches
 * because its producer sends one batch per partition in a request; Ferry's sends every ready batch of a
 * partition in one request, which the leader appends at once, so each request is one run and five runs
 * cover five requests of any size. Runs are formed from the log alone (the same rule on the leader, on a
 * follower and on replay), so every replica and every rebuild holds the same runs.
 *
 * @param lastTimestamp the max timestamp of its last batch, which expiration counts from
 */
public record ProducerStateEntry(long producerId, short epoch, List<BatchMetadata> runs, long lastTimestamp) {

    /**
     * As Kafka's five batches: a producer has at most five requests in flight per partition
     * ({@code max.in.flight.requests.per.connection} with idempotence), each one run, so a retry is
     * within one of its last five runs.
     */
    public static final int RUNS_KEPT = 5;

    public ProducerStateEntry {
        runs = List.copyOf(runs);
        if (runs.isEmpty() || runs.size() > RUNS_KEPT) {
            throw new IllegalArgumentException(
                    "producer " + producerId + " holds " + runs.size() + " runs, not 1 to " + RUNS_KEPT);
        }
    }

    /** The state of a producer first seen in {@code batch}. */
    static ProducerStateEntry first(RecordBatch batch) {
        BatchMetadata metadata = BatchMetadata.of(batch);
        return new ProducerStateEntry(
                batch.producerId(), batch.producerEpoch(), List.of(metadata), metadata.timestamp());
    }

    /**
     * The state after {@code batch}, of this producer, was appended: it extends the last run when it
     * continues it, else starts a new one; a new epoch forgets the old one's runs.
     */
    ProducerStateEntry with(RecordBatch batch) {
        if (batch.producerEpoch() == epoch && lastRun().continuedBy(batch)) {
            List<BatchMetadata> extended = new ArrayList<>(runs);
            extended.set(runs.size() - 1, lastRun().extendedBy(batch));
            return new ProducerStateEntry(producerId, epoch, extended, batch.maxTimestamp());
        }
        BatchMetadata metadata = BatchMetadata.of(batch);
        List<BatchMetadata> kept = new ArrayList<>(RUNS_KEPT);
        if (batch.producerEpoch() == epoch) {
            kept.addAll(runs.subList(Math.max(0, runs.size() - RUNS_KEPT + 1), runs.size()));
        }
        kept.add(metadata);
        return new ProducerStateEntry(producerId, batch.producerEpoch(), kept, metadata.timestamp());
    }

    public BatchMetadata lastRun() {
        return runs.get(runs.size() - 1);
    }

    public int lastSeq() {
        return lastRun().lastSeq();
    }

    /**
     * What the kept run holding {@code batch}'s sequences (same epoch) recorded of it, if any: the
     * batch is a retry of records already appended, and this is where they went.
     */
    Optional<BatchMetadata> duplicateOf(RecordBatch batch) {
        if (batch.producerEpoch() != epoch) {
            return Optional.empty();
        }
        int lastSeq = Sequences.lastSeq(batch);
        for (BatchMetadata run : runs) {
            Optional<BatchMetadata> part = run.part(batch.baseSequence(), lastSeq);
            if (part.isPresent()) {
                return part;
            }
        }
        return Optional.empty();
    }
}
