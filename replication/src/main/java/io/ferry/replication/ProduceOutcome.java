package io.ferry.replication;

/**
 * The answer for one partition of a produce request.
 *
 * @param error           null on success
 * @param baseOffset      offset of the first record appended; -1 on error
 * @param lastOffset      offset of the last record appended; -1 on error
 * @param logAppendTimeMs the leader's clock stamped into the batches of a LogAppendTime topic (ms since the
 *                        epoch); -1 for CreateTime or on error
 * @param logStartOffset  the log start offset after the append; -1 on error
 */
public record ProduceOutcome(
        PartitionError error, long baseOffset, long lastOffset, long logAppendTimeMs, long logStartOffset) {

    public static ProduceOutcome failed(PartitionError error) {
        return new ProduceOutcome(error, -1, -1, -1, -1);
    }

    public boolean succeeded() {
        return error == null;
    }

    /** The same append, now failed (an acks=all wait that timed out or lost leadership). */
    public ProduceOutcome withError(PartitionError newError) {
        return new ProduceOutcome(newError, -1, -1, -1, -1);
    }
}
