package io.ferry.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One partition's sequence bookkeeping for an idempotent producer (Kafka's {@code TxnPartitionEntry}): the
 * producer id its sequences count under, the next base sequence, the last acknowledged batch, and the
 * unresolved batches — stamped, and neither acknowledged nor failed for good — in sequence order.
 *
 * <p>Not thread-safe: only the sender thread uses it, through {@link ProducerSequences}.
 */
final class PartitionSequences {

    /** The id the unresolved batches were stamped with and new ones are stamped with; null before the first. */
    ProducerIdentity.IdAndEpoch producerId;

    /** The base sequence of the next batch stamped for this partition. */
    int nextSequence;

    /** The number of the next run ({@link ProducerBatch#run}) stamped for this partition. */
    long nextRun;

    /**
     * The base sequence that follows the last acknowledged batch, or -1 while none was acknowledged under
     * {@link #producerId}: the broker may not know the producer yet and would take any sequence.
     */
    int nextAfterAcked = -1;

    /** The queue order ({@link ProducerBatch#order}) of the last acknowledged batch, to ignore older answers. */
    private long lastAckedOrder = -1;

    /** Unresolved batches by queue order, which is also their sequence order. */
    private final TreeMap<Long, ProducerBatch> unresolved = new TreeMap<>();

    /** Unresolved batches with an attempt on the wire, not answered yet. */
    int onWire;

    /**
     * Set when the broker refused the first unresolved batch because an earlier one failed for good: no
     * unresolved batch is in the log, so they are all stamped again, under the current producer id, once
     * none is on the wire any more.
     */
    boolean renumberPending;

    /** Starts counting under {@code id} from sequence 0; only when nothing is unresolved. */
    void startOver(ProducerIdentity.IdAndEpoch id) {
        if (!unresolved.isEmpty()) {
            throw new IllegalStateException("unresolved batches are stamped with " + producerId);
        }
        producerId = id;
        nextSequence = 0;
        nextAfterAcked = -1;
        lastAckedOrder = -1;
    }

    void add(ProducerBatch batch) {
        unresolved.put(batch.order, batch);
    }

    int unresolvedCount() {
        return unresolved.size();
    }

    /** The unresolved batch with the lowest sequence, or null. */
    ProducerBatch firstUnresolved() {
        var first = unresolved.firstEntry();
        return first == null ? null : first.getValue();
    }

    /**
     * The runs stamped since the oldest one with an unresolved batch, that one included: the leader may
     * have appended all of them, so a retry of that batch is only recognised while they are at most
     * its five runs kept.
     */
    long runsSinceOldestUnresolved() {
        ProducerBatch first = firstUnresolved();
        return first == null ? 0 : nextRun - first.run;
    }

    /** Whether {@code batch} is unresolved and an unresolved batch comes before it. */
    boolean hasUnresolvedBefore(ProducerBatch batch) {
        return unresolved.lowerKey(batch.order) != null;
    }

    void acknowledged(ProducerBatch batch) {
        unresolved.remove(batch.order);
        if (batch.producerId == producerId.producerId() && batch.order > lastAckedOrder) {
            lastAckedOrder = batch.order;
            nextAfterAcked = ProducerSequences.incrementSequence(batch.baseSequence, batch.recordCount());
        }
    }

    void removed(ProducerBatch batch) {
        unresolved.remove(batch.order);
    }

    /** Removes and returns every unresolved batch, for renumbering. */
    List<ProducerBatch> takeUnresolved() {
        List<ProducerBatch> out = new ArrayList<>(unresolved.values());
        unresolved.clear();
        return out;
    }
}
