package io.ferry.replication.internal;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.Partition;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ProduceOutcome;
import io.ferry.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An {@code acks=all} produce waiting until every partition's high watermark has passed the last
 * offset it appended. Completes early when leadership of a partition is lost (NOT_LEADER: the append
 * may or may not survive, so the client must not count it as acknowledged); partitions still short
 * at the deadline get REQUEST_TIMED_OUT. A partition whose high watermark passed while its ISR had
 * shrunk below {@code min.insync.replicas} gets NOT_ENOUGH_REPLICAS (Kafka's
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND): fewer replicas than promised hold the batch.
 */
public final class DelayedProduce extends DelayedOperation {

    /**
     * An appended partition the request waits on.
     *
     * @param leaderEpoch       the epoch the append was made under
     * @param minInsyncReplicas how many replicas must hold the batch for it to be acknowledged
     */
    public record Waiting(Partition partition, int leaderEpoch, int minInsyncReplicas, ProduceOutcome appended) {
        boolean replicated() {
            return partition.highWatermark() > appended.lastOffset();
        }

        /**
         * Read after {@link #replicated()}: every member of the maximal ISR holds the batch then (one that
         * joins later holds the high watermark), so when there are enough of them, enough replicas hold it.
         */
        boolean tooFewReplicas() {
            return partition.maximalIsrSize() < minInsyncReplicas;
        }

        boolean leadershipLost() {
            return !partition.isLeaderAt(leaderEpoch);
        }
    }

    private final Map<TopicPartition, ProduceOutcome> settled;
    private final Map<TopicPartition, Waiting> waiting;
    private final Consumer<Map<TopicPartition, ProduceOutcome>> callback;

    /**
     * @param settled  partitions already answered (errors before append), in request order
     * @param waiting  appended partitions
     * @param callback receives every partition's outcome once
     */
    public DelayedProduce(
            long timeoutMs,
            Map<TopicPartition, ProduceOutcome> settled,
            Map<TopicPartition, Waiting> waiting,
            Consumer<Map<TopicPartition, ProduceOutcome>> callback) {
        super(timeoutMs);
        this.settled = settled;
        this.waiting = waiting;
        this.callback = callback;
    }

    @Override
    public boolean tryComplete() {
        for (Waiting w : waiting.values()) {
            if (!w.replicated() && !w.leadershipLost()) {
                return false;
            }
        }
        return forceComplete();
    }

    @Override
    protected void onComplete() {
        Map<TopicPartition, ProduceOutcome> result = new LinkedHashMap<>(settled);
        waiting.forEach((tp, w) -> result.put(tp, outcome(tp, w)));
        callback.accept(result);
    }

    private ProduceOutcome outcome(TopicPartition tp, Waiting w) {
        if (w.leadershipLost()) {
            return w.appended()
                    .withError(PartitionError.of(
                            ErrorCode.NOT_LEADER,
                            "leadership of " + tp
                                    + " changed while waiting for the in-sync replicas (epoch " + w.leaderEpoch()
                                    + "); the batch may not be committed: retry against the new leader"));
        }
        if (w.replicated() && w.tooFewReplicas()) {
            return w.appended()
                    .withError(PartitionError.of(
                            ErrorCode.NOT_ENOUGH_REPLICAS,
                            "the batch of " + tp
                                    + " was appended at offsets " + w.appended().baseOffset() + ".."
                                    + w.appended().lastOffset()
                                    + ", but the in-sync replicas that hold it are fewer than min.insync.replicas="
                                    + w.minInsyncReplicas()
                                    + " (the ISR shrank meanwhile); it may be committed, so a retry may"
                                    + " write it twice"));
        }
        if (w.replicated()) {
            return w.appended();
        }
        return w.appended()
                .withError(PartitionError.of(
                        ErrorCode.REQUEST_TIMED_OUT,
                        "the in-sync replicas of "
                                + tp + " did not confirm offsets up to "
                                + w.appended().lastOffset() + " within " + delayMs()
                                + " ms (high watermark " + w.partition().highWatermark() + ")"));
    }
}
