package io.ferry.client.internal;

import io.ferry.client.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An idempotent producer's sequences and the rules that let it keep several requests of a partition in
 * flight without losing their order, as Kafka's {@code TransactionManager} does for a producer that is not
 * transactional.
 *
 * <ul>
 *   <li>A batch is stamped with the producer id and its partition's next sequence when it is first
 *       drained, and keeps them on every retry, so the leader answers a retry of a batch it already holds
 *       with the original offsets instead of appending it again.</li>
 *   <li>The new batches of a partition one request carries are a run: the leader appends them back to
 *       back and remembers a producer's last five runs per partition (Kafka's leader remembers five
 *       batches, as Kafka's producer sends one batch of a partition per request). So a request takes
 *       every ready batch of a partition that fits {@code max.request.size}, as a producer without
 *       idempotence does, and at most {@code max.in.flight.requests.per.connection} (at most 5) runs are
 *       stamped since the oldest one not yet resolved: any retry is of a run the leader still knows. Until
 *       the first batch under a producer id is acknowledged, one run is the only one: a leader that does
 *       not know the producer takes any sequence, so a later run could be written before an earlier one
 *       that failed (a run is appended whole or not at all).</li>
 *   <li>The leader appends a partition's batches only in sequence order. A batch that is retried goes
 *       back to its place in the queue and is sent again, alone, only once it is the first unresolved
 *       batch of its partition; the later ones, refused meanwhile with OUT_OF_ORDER_SEQUENCE_NUMBER
 *       because their predecessor was missing, are retried after it.</li>
 *   <li>A batch that fails for good leaves a gap in its partition's sequence; the producer then asks for a
 *       fresh producer id ({@link ProducerIdentity#reset}). The partition's later batches come back
 *       refused and are stamped again under the fresh id from sequence 0; other partitions move to the
 *       fresh id once their own unresolved batches are resolved.</li>
 * </ul>
 *
 * <p>A refusal with OUT_OF_ORDER_SEQUENCE_NUMBER of the batch right after the last acknowledged one means
 * the leader lost what it had acknowledged; that batch fails, as it did before pipelining.
 *
 * <p>Not thread-safe: the sender thread owns it.
 */
final class ProducerSequences {

    private final ProducerIdentity identity;
    private final int maxRunsPerPartition;
    private final Map<TopicPartition, PartitionSequences> partitions = new HashMap<>();

    /**
     * @param maxRunsPerPartition {@code max.in.flight.requests.per.connection}, which the configuration
     *                            bounds by 5 for an idempotent producer
     */
    ProducerSequences(ProducerIdentity identity, int maxRunsPerPartition) {
        this.identity = identity;
        this.maxRunsPerPartition = maxRunsPerPartition;
    }

    /** The current producer id, or null while one is being obtained; see {@link ProducerIdentity#current}. */
    ProducerIdentity.IdAndEpoch current(long nowNanos) {
        return identity.current(nowNanos);
    }

    /**
     * How many batches from the head of the partition's queue may be drained now, {@code head} being its
     * first: 0 to wait, 1 for a retry (sent alone, and only as the first unresolved batch), else
     * {@link Integer#MAX_VALUE} when a new run may start (as many new batches as the request has room for).
     */
    int drainable(TopicPartition tp, ProducerBatch head, long nowNanos) {
        PartitionSequences partition = partitions.computeIfAbsent(tp, t -> new PartitionSequences());
        if (partition.renumberPending) {
            if (partition.onWire > 0) {
                return 0; // their answers are refusals too; wait for all before stamping anew
            }
            renumber(partition);
        }
        if (head.isStamped()) {
            return partition.firstUnresolved() == head ? 1 : 0;
        }
        ProducerIdentity.IdAndEpoch current = identity.current(nowNanos);
        if (current == null) {
            return 0;
        }
        if (!current.equals(partition.producerId)) {
            if (partition.unresolvedCount() > 0) {
                return 0; // batches stamped with the older id go first, or sequence 0 could overtake them
            }
            partition.startOver(current);
        }
        boolean mayStartRun = partition.nextAfterAcked < 0
                ? partition.unresolvedCount() == 0
                : partition.runsSinceOldestUnresolved() < maxRunsPerPartition;
        return mayStartRun ? Integer.MAX_VALUE : 0;
    }

    /**
     * Records that {@code drained}, the batches of one partition just drained for one request, go on the
     * wire; stamps those on their first attempt, as one new run.
     */
    void sent(List<ProducerBatch> drained) {
        if (drained.isEmpty()) {
            return;
        }
        PartitionSequences partition = partitions.get(drained.get(0).tp);
        long run = partition.nextRun;
        for (ProducerBatch batch : drained) {
            if (!batch.isStamped()) {
                batch.stamp(partition.producerId.producerId(), partition.producerId.epoch(), partition.nextSequence);
                batch.run = run;
                partition.nextRun = run + 1;
                partition.nextSequence = incrementSequence(partition.nextSequence, batch.recordCount());
                partition.add(batch);
            }
            batch.onWire = true;
            partition.onWire++;
        }
    }

    /** The attempt of {@code batch} on the wire was answered or lost; safe to call again. */
    void returned(ProducerBatch batch) {
        if (batch.onWire) {
            batch.onWire = false;
            partitions.get(batch.tp).onWire--;
        }
    }

    /** {@code batch} was appended (or recognised as a retry of an appended batch). */
    void acknowledged(ProducerBatch batch) {
        returned(batch);
        if (batch.isStamped()) {
            partitions.get(batch.tp).acknowledged(batch);
        }
    }

    /**
     * Whether a batch the leader refused with OUT_OF_ORDER_SEQUENCE_NUMBER is retried: yes when it is not
     * the batch that follows the acknowledged ones (its predecessor is unresolved, or failed for good and
     * the partition is stamped anew); no when it is, as the leader then lost acknowledged batches.
     */
    boolean outOfOrderIsRetriable(ProducerBatch batch) {
        returned(batch);
        PartitionSequences partition = partitions.get(batch.tp);
        if (partition.hasUnresolvedBefore(batch)) {
            return true;
        }
        int expected = Math.max(0, partition.nextAfterAcked);
        if (batch.baseSequence == expected) {
            return false;
        }
        partition.renumberPending = true;
        return true;
    }

    /**
     * {@code batch} failed for good (an error, expiry, or retries spent). Its sequence may or may not be in
     * the log, so no later sequence of its producer id is safe: the producer takes a fresh id.
     */
    void failed(ProducerBatch batch) {
        if (!batch.isStamped()) {
            return;
        }
        returned(batch);
        partitions.get(batch.tp).removed(batch);
        identity.reset(batch.producerId);
    }

    /**
     * Clears the stamps of a partition's unresolved batches, which a gap before them kept out of the log,
     * so that they are stamped again, in order, under a fresh producer id.
     */
    private void renumber(PartitionSequences partition) {
        for (ProducerBatch batch : partition.takeUnresolved()) {
            identity.reset(batch.producerId);
            batch.unstamp();
        }
        partition.renumberPending = false;
    }

    /** Kafka's sequence arithmetic: after {@link Integer#MAX_VALUE} comes 0. */
    static int incrementSequence(int sequence, int increment) {
        return sequence > Integer.MAX_VALUE - increment
                ? increment - (Integer.MAX_VALUE - sequence) - 1
                : sequence + increment;
    }
}
