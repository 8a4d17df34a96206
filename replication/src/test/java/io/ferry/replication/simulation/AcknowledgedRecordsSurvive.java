package io.ferry.replication.simulation;

import io.ferry.replication.simulation.PartitionHistory.Acknowledged;
import io.ferry.replication.simulation.PartitionHistory.Produced;
import io.ferry.storage.TopicPartition;

/**
 * {@link Invariant#ACKNOWLEDGED_RECORDS_SURVIVE}. When a leader acknowledges an acks=all batch, at least
 * {@code min.insync.replicas} replicas hold it or held it (one may have crashed since); and from then on the
 * batch stays, at its acknowledged offset, in the log of every replica that neither crashed since the append
 * nor left the ISR since the acknowledgement. So while at most RF - min.insync.replicas replicas fail, at
 * least min.insync.replicas keep it: it is not lost.
 *
 * <p>Checked at the acknowledgement and at every truncation, the only events that can break it (a crash
 * makes the replica a failed one first).
 */
final class AcknowledgedRecordsSurvive {

    private final PartitionHistory history;
    private final Replicas replicas;
    private final TopicPartition tp;

    AcknowledgedRecordsSurvive(PartitionHistory history, Replicas replicas) {
        this.history = history;
        this.replicas = replicas;
        this.tp = history.tp;
    }

    void acknowledged(int leader, Produced batch, long event) {
        if (batch.holders.cardinality() < history.minInsyncReplicas) {
            throw new InvariantViolation(
                    Invariant.ACKNOWLEDGED_RECORDS_SURVIVE,
                    "broker " + leader
                            + " acknowledged " + batch + " of " + tp + " while only brokers " + batch.holders
                            + " ever held it, fewer than min.insync.replicas=" + history.minInsyncReplicas);
        }
        Acknowledged ack = history.acknowledge(batch, event);
        for (int broker : replicas.brokerIds()) {
            if (keeps(broker, ack) && !replicas.holds(broker, tp, batch)) {
                throw new InvariantViolation(
                        Invariant.ACKNOWLEDGED_RECORDS_SURVIVE,
                        "broker " + leader
                                + " acknowledged " + batch + " of " + tp + ", which broker " + broker
                                + " in the ISR " + history.isr() + " does not hold");
            }
        }
    }

    void truncated(int broker, long newEnd) {
        for (Acknowledged ack : history.acknowledgedFrom(newEnd)) {
            if (keeps(broker, ack) && ack.batch().holders.get(broker)) {
                throw new InvariantViolation(
                        Invariant.ACKNOWLEDGED_RECORDS_SURVIVE,
                        "broker " + broker
                                + " truncated " + tp + " to " + newEnd + ", losing the acknowledged " + ack.batch()
                                + ", though it has been in the ISR since the acknowledgement and has not crashed");
            }
        }
    }

    /** Whether {@code broker} must still hold the batch: no crash since the append, in the ISR since the ack. */
    private boolean keeps(int broker, Acknowledged ack) {
        return !history.crashedSince(broker, ack.batch().appendedAt) && !history.outOfIsrSince(broker, ack.at());
    }
}
