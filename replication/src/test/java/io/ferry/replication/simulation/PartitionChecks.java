package io.ferry.replication.simulation;

import io.ferry.record.RecordBatch;
import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.replication.simulation.PartitionHistory.Produced;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Feeds one partition's history and invariants: the logs report each append and truncation as it happens,
 * the producer each acknowledgement, the fault injector each crash; after every event the replicas are
 * sampled (who leads at which epoch, every high watermark, the controller's ISR). Each check runs where its
 * invariant could first break, so checking after every event costs little.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class PartitionChecks {

    private final EventQueue events;
    private final Replicas replicas;
    private final ControllerModel controller;
    private final TopicPartition tp;
    private final PartitionHistory history;
    private final AcknowledgedRecordsSurvive acknowledged;
    private final ConsistentBelowHighWatermark consistency;
    private final MonotonicHighWatermark highWatermark;
    private final LeadersKeepCommittedRecords leaders;
    /** Per broker id: its current leadership, or null. */
    private final Leadership[] leading;

    PartitionChecks(EventQueue events, Replicas replicas, ControllerModel controller, PartitionHistory history) {
        this.events = events;
        this.replicas = replicas;
        this.controller = controller;
        this.tp = history.tp;
        this.history = history;
        int maxId =
                replicas.brokerIds().stream().mapToInt(Integer::intValue).max().orElse(0);
        this.acknowledged = new AcknowledgedRecordsSurvive(history, replicas);
        this.consistency = new ConsistentBelowHighWatermark(history, maxId);
        this.highWatermark = new MonotonicHighWatermark(history);
        this.leaders = new LeadersKeepCommittedRecords(history, replicas);
        this.leading = new Leadership[maxId + 1];
    }

    PartitionHistory history() {
        return history;
    }

    /** What broker {@code broker}'s log of this partition reports. */
    MemoryReplicaLog.Observer observer(int broker) {
        return new MemoryReplicaLog.Observer() {
            @Override
            public void appended(RecordBatch batch) {
                history.appended(broker, batch, events.eventsRun());
            }

            @Override
            public void truncated(long newEnd) {
                // A replica that leads now (a crashed one does not: its process is gone) must keep every committed
                // batch; that is the most specific finding, so it is checked first.
                Optional<Partition> replica = replicas.partition(broker, tp);
                if (replica.isPresent()
                        && replica.get().isLeaderAt(replica.get().leaderEpoch())) {
                    leaders.truncated(broker, replica.get().leaderEpoch(), newEnd);
                }
                acknowledged.truncated(broker, newEnd);
                consistency.truncated(broker, newEnd);
            }
        };
    }

    /** The leader {@code broker} acknowledged the acks=all batch {@code batchId} (before the client hears it). */
    void acknowledged(int broker, long batchId) {
        acknowledged.acknowledged(broker, history.produced(batchId), events.eventsRun());
    }

    /** Called before the broker's logs lose their unflushed tails. */
    void crashed(int broker) {
        history.crashed(broker, events.eventsRun());
        leading[broker] = null;
    }

    void afterEvent() {
        long event = events.eventsRun();
        history.isrAt(controller.state(tp).isr(), event);
        List<Leadership> current = new ArrayList<>();
        List<Leadership> started = new ArrayList<>();
        for (int broker : replicas.brokerIds()) {
            Optional<Partition> p = replicas.partition(broker, tp);
            int epoch = p.map(Partition::leaderEpoch).orElse(-1);
            if (p.isEmpty() || !p.get().isLeaderAt(epoch)) {
                leading[broker] = null;
                continue;
            }
            if (leading[broker] == null || !leading[broker].is(p.get(), epoch)) {
                // Everything below the new leader's high watermark is committed now if it was not before:
                // becoming leader may have raised it (an ISR of one), past batches no one committed yet.
                MemoryReplicaLog log = replicas.log(broker, tp);
                leading[broker] = new Leadership(broker, p.get(), epoch, log.logEndOffset(), log.logStartOffset());
                started.add(leading[broker]);
            }
            current.add(leading[broker]);
        }
        for (Leadership l : started) {
            leaders.started(l);
        }
        for (Leadership l : current) {
            long served = l.partition.highWatermark();
            if (served > l.highWatermark) {
                for (RecordBatch b : replicas.log(l.broker, tp).batchesStartingIn(l.highWatermark, served)) {
                    Produced batch = history.produced(b.producerId());
                    leaders.committed(l, batch, event, current);
                }
                l.highWatermark = served;
            }
            highWatermark.served(l, served);
        }
        for (int broker : replicas.brokerIds()) {
            Optional<Partition> p = replicas.partition(broker, tp);
            if (p.isPresent()) {
                consistency.sampled(broker, replicas.log(broker, tp), p.get().highWatermark());
            }
        }
    }
}
