package io.ferry.replication.simulation;

import io.ferry.replication.simulation.PartitionHistory.Committed;
import io.ferry.replication.simulation.PartitionHistory.Produced;
import java.util.Collection;

/**
 * {@link Invariant#LEADERS_KEEP_COMMITTED_RECORDS}. A batch is committed once a leader's high watermark
 * passes it. A replica leading at epoch E holds every batch committed at an earlier epoch, from its first
 * event as leader (it was elected from the ISR) and as they are committed (a deposed leader that does not
 * know it yet still commits what its whole ISR fetched, the new leader included), and loses none while it
 * leads. No batch is committed where another one was. Exempt: a batch lost while more replicas had failed
 * than the budget allows (a crash may have cut the last copies).
 */
final class LeadersKeepCommittedRecords {

    private final PartitionHistory history;
    private final Replicas replicas;

    LeadersKeepCommittedRecords(PartitionHistory history, Replicas replicas) {
        this.history = history;
        this.replicas = replicas;
    }

    void started(Leadership leadership) {
        for (Committed c : history.allCommitted()) {
            if (c.leaderEpoch() < leadership.epoch) {
                requireHeld(leadership, c, "became leader without");
            }
        }
    }

    /** {@code leadership}'s high watermark passed {@code batch}. */
    void committed(Leadership leadership, Produced batch, long event, Collection<Leadership> leaders) {
        for (Committed earlier : history.committedOverlapping(batch.baseOffset, batch.lastOffset)) {
            if (earlier.batch() == batch) {
                return;
            }
            if (!history.beyondBudget(earlier)) {
                throw new InvariantViolation(
                        Invariant.LEADERS_KEEP_COMMITTED_RECORDS,
                        leadership + " of " + history.tp
                                + " committed " + batch + " over " + earlier.batch() + ", committed at epoch "
                                + earlier.leaderEpoch());
            }
            history.lostBeyondBudget(earlier);
        }
        Committed c = new Committed(batch, event, leadership.epoch);
        history.commit(c);
        for (Leadership other : leaders) {
            if (other.epoch > leadership.epoch) {
                requireHeld(other, c, "leads without");
            }
        }
    }

    /** The log of {@code broker}, which leads at {@code epoch}, was cut to {@code newEnd}. */
    void truncated(int broker, int epoch, long newEnd) {
        for (Committed c : history.committedFrom(newEnd).values()) {
            if (!history.beyondBudget(c)) {
                throw new InvariantViolation(
                        Invariant.LEADERS_KEEP_COMMITTED_RECORDS,
                        "broker " + broker
                                + " leading " + history.tp + " at epoch " + epoch + " truncated its log to " + newEnd
                                + ", losing the committed " + c.batch());
            }
        }
    }

    private void requireHeld(Leadership leadership, Committed c, String what) {
        if (!replicas.holds(leadership.broker, history.tp, c.batch()) && !history.beyondBudget(c)) {
            throw new InvariantViolation(
                    Invariant.LEADERS_KEEP_COMMITTED_RECORDS,
                    leadership + " of " + history.tp
                            + " " + what + " " + c.batch() + ", committed at epoch " + c.leaderEpoch() + " ("
                            + history.failures(c.batch().appendedAt, c.at()) + " replicas failed since, budget "
                            + history.failureBudget + ")");
        }
    }
}
