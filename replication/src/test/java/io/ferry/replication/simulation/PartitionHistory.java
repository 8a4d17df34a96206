package io.ferry.replication.simulation;

import io.ferry.record.RecordBatch;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * What happened to one partition, as the invariants need it: every batch produced (where the leader put it,
 * when, and which replicas ever held it), the acks=all batches acknowledged, the batches committed (passed by
 * a leader's high watermark), and when each replica last crashed or was out of the controller's ISR.
 *
 * <p>Times are event numbers ({@link EventQueue#eventsRun}), so "since" is exact within a millisecond. Every
 * batch is identified by its producer id field, which the simulated producer makes unique.
 *
 * <p><b>Failures.</b> A replica has failed for a batch if it crashed since the batch was appended (a crash may
 * cut it from the log) or was out of the ISR at some point since the batch was committed (the controller
 * elects only from the ISR: the copy such a replica holds is not counted on, as in Kafka before KIP-966's
 * eligible leader replicas). The promise holds while at most {@code RF - min.insync.replicas} replicas failed.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class PartitionHistory {

    /** A batch as the leader appended it. */
    static final class Produced {
        final long id;
        final long baseOffset;
        final long lastOffset;
        final int leaderEpoch;
        final long appendedAt;
        /** Replicas whose log held it at some point. */
        final BitSet holders = new BitSet();

        Produced(RecordBatch batch, long appendedAt) {
            this.id = batch.producerId();
            this.baseOffset = batch.baseOffset();
            this.lastOffset = batch.lastOffset();
            this.leaderEpoch = batch.partitionLeaderEpoch();
            this.appendedAt = appendedAt;
        }

        @Override
        public String toString() {
            return "batch " + id + " [" + baseOffset + ".." + lastOffset + "] of leader epoch " + leaderEpoch;
        }
    }

    /** An acks=all batch a leader acknowledged, at event {@code at}. */
    record Acknowledged(Produced batch, long at) {}

    /** A batch a leader at {@code leaderEpoch} first passed with its high watermark, at event {@code at}. */
    record Committed(Produced batch, long at, int leaderEpoch) {}

    final TopicPartition tp;
    final int minInsyncReplicas;
    /** How many replicas may fail while the promise holds: RF - min.insync.replicas. */
    final int failureBudget;

    private final Map<Long, Produced> produced = new HashMap<>();
    private final TreeMap<Long, List<Acknowledged>> acknowledged = new TreeMap<>();
    /** The committed batches of the current history, by base offset. */
    private final TreeMap<Long, Committed> committed = new TreeMap<>();
    /** Committed batches lost while more replicas had failed than the budget allows, and replaced. */
    private final Set<Long> lostBeyondBudget = new HashSet<>();
    /** Per broker id: the event of its last crash, -1 if none. */
    private final long[] lastCrash;
    /** Per broker id: the last event at whose end it was out of the ISR, -1 if never. */
    private final long[] lastOutOfIsr;

    private Collection<Integer> isr;
    private long lastAcknowledgedAt = -1;

    PartitionHistory(TopicPartition tp, List<Integer> replicas, int minInsyncReplicas) {
        this.tp = tp;
        this.minInsyncReplicas = minInsyncReplicas;
        this.failureBudget = replicas.size() - minInsyncReplicas;
        int maxId = replicas.stream().mapToInt(Integer::intValue).max().orElse(0);
        this.lastCrash = new long[maxId + 1];
        this.lastOutOfIsr = new long[maxId + 1];
        Arrays.fill(lastCrash, -1);
        Arrays.fill(lastOutOfIsr, -1);
        this.isr = List.copyOf(replicas);
    }

    // ---- facts ----

    /** A replica's log took {@code batch}: the leader's append creates the record of it. */
    Produced appended(int broker, RecordBatch batch, long event) {
        Produced p = produced.computeIfAbsent(batch.producerId(), id -> new Produced(batch, event));
        p.holders.set(broker);
        return p;
    }

    Produced produced(long id) {
        return produced.get(id);
    }

    Acknowledged acknowledge(Produced batch, long event) {
        Acknowledged a = new Acknowledged(batch, event);
        lastAcknowledgedAt = event;
        acknowledged.computeIfAbsent(batch.baseOffset, o -> new ArrayList<>()).add(a);
        return a;
    }

    /** Acknowledged batches starting at or after {@code offset}. */
    List<Acknowledged> acknowledgedFrom(long offset) {
        List<Acknowledged> from = new ArrayList<>();
        acknowledged.tailMap(offset, true).values().forEach(from::addAll);
        return from;
    }

    /** The event of the last acknowledgement, -1 if none. */
    long lastAcknowledgedAt() {
        return lastAcknowledgedAt;
    }

    List<Acknowledged> allAcknowledged() {
        return acknowledgedFrom(Long.MIN_VALUE);
    }

    void crashed(int broker, long event) {
        lastCrash[broker] = event;
    }

    /** The controller's ISR at the end of {@code event}. */
    void isrAt(Collection<Integer> current, long event) {
        isr = current;
        for (int b = 0; b < lastOutOfIsr.length; b++) {
            if (!current.contains(b)) {
                lastOutOfIsr[b] = event;
            }
        }
    }

    Collection<Integer> isr() {
        return isr;
    }

    boolean crashedSince(int broker, long event) {
        return lastCrash[broker] >= event;
    }

    boolean outOfIsrSince(int broker, long event) {
        return !isr.contains(broker) || lastOutOfIsr[broker] >= event;
    }

    /** Replicas that crashed since {@code appendedAt} or were out of the ISR since {@code since}. */
    int failures(long appendedAt, long since) {
        int failed = 0;
        for (int b = 1; b < lastCrash.length; b++) {
            if (crashedSince(b, appendedAt) || outOfIsrSince(b, since)) {
                failed++;
            }
        }
        return failed;
    }

    /** Whether more replicas failed since {@code c} was committed than the budget allows. */
    boolean beyondBudget(Committed c) {
        return failures(c.batch().appendedAt, c.at()) > failureBudget;
    }

    // ---- the committed history ----

    /** The committed batch holding {@code offset}, or null. */
    Committed committedAt(long offset) {
        Map.Entry<Long, Committed> e = committed.floorEntry(offset);
        return e != null && e.getValue().batch().lastOffset >= offset ? e.getValue() : null;
    }

    /** Committed batches overlapping [{@code first}, {@code last}]. */
    List<Committed> committedOverlapping(long first, long last) {
        List<Committed> overlapping = new ArrayList<>();
        Committed holding = committedAt(first);
        if (holding != null) {
            overlapping.add(holding);
        }
        overlapping.addAll(committed.subMap(first, false, last, true).values());
        return overlapping;
    }

    Collection<Committed> allCommitted() {
        return committed.values();
    }

    /** Committed batches starting at or after {@code offset}. */
    NavigableMap<Long, Committed> committedFrom(long offset) {
        return committed.tailMap(offset, true);
    }

    void commit(Committed c) {
        committed.put(c.batch().baseOffset, c);
    }

    /** {@code c} was lost beyond the budget and a different batch is committed in its place. */
    void lostBeyondBudget(Committed c) {
        committed.remove(c.batch().baseOffset, c);
        lostBeyondBudget.add(c.batch().id);
    }

    boolean isLostBeyondBudget(long batchId) {
        return lostBeyondBudget.contains(batchId);
    }

    /** Whether a committed batch starting below {@code offset} was lost beyond the budget. */
    boolean lostBeyondBudgetBelow(long offset) {
        for (long id : lostBeyondBudget) {
            if (produced.get(id).baseOffset < offset) {
                return true;
            }
        }
        return false;
    }
}
