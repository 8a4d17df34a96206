package io.ferry.storage;

/**
 * An append was refused, and nothing of it was written; or ({@link Reason#REMOVED_BEFORE_FLUSH}, as the
 * failure of {@link LogAppendInfo#flushed()}) its records were removed before the flush the policy asked
 * for covered them. {@link #reason()} says why in a form to switch on.
 */
public final class LogAppendException extends Exception {

    /** Why an append was refused. */
    public enum Reason {
        /** A batch is larger than {@code max.message.bytes} or than a whole segment. */
        BATCH_TOO_LARGE,
        /** A follower's batches do not continue at the log end offset, or skip offsets between them. */
        NON_CONTIGUOUS_OFFSET,
        /** The bytes are not a sequence of valid batches; the cause is the {@code CorruptBatchException}. */
        CORRUPT_BATCH,
        /**
         * A leader's append: a batch is framed correctly but its records are malformed, disagree with its
         * header, or it sets attributes a producer may not set (Kafka's INVALID_RECORD).
         */
        INVALID_RECORD,
        /**
         * A leader's append: a record timestamp lies outside {@code message.timestamp.before.max.ms} /
         * {@code after.max.ms}, or a CreateTime topic got a batch marked LogAppendTime (Kafka's INVALID_TIMESTAMP).
         */
        INVALID_TIMESTAMP,
        /**
         * A batch's leader epoch is below the latest epoch already in the log (a stale leader, or a
         * follower that did not truncate first), or a follower's batch carries no epoch.
         */
        INVALID_LEADER_EPOCH,
        /** The append held no batch at all. */
        EMPTY,
        /**
         * A leader's append: a producer's batch does not continue its sequence (a gap, or a new epoch not
         * starting at 0), as Kafka's OUT_OF_ORDER_SEQUENCE.
         */
        OUT_OF_ORDER_SEQUENCE,
        /**
         * A leader's append: a producer's epoch is below the one the partition knows for its id, so a newer
         * instance of the producer fenced it (Kafka's INVALID_PRODUCER_EPOCH).
         */
        INVALID_PRODUCER_EPOCH,
        /**
         * A leader's append: a new producer id would make the partition track more producers than
         * {@code max.producer.ids.per.partition}; retriable once idle producers expire.
         */
        TOO_MANY_PRODUCER_IDS,
        /**
         * Not a refusal: the append was written, but a truncation (this replica stopped leading) or the
         * log's deletion removed its records before an fsync covered them, so they are not durable and
         * must not be acknowledged.
         */
        REMOVED_BEFORE_FLUSH
    }

    private final Reason reason;

    public LogAppendException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public LogAppendException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
