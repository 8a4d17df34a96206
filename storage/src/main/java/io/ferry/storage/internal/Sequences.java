package io.ferry.storage.internal;

import io.ferry.record.RecordBatch;

/**
 * Producer sequence arithmetic. Sequences are non-negative ints that wrap from {@link Integer#MAX_VALUE}
 * to 0, as in Kafka, so a long-lived producer never runs out of them.
 */
final class Sequences {

    private Sequences() {}

    /** The sequence of {@code batch}'s last record. */
    static int lastSeq(RecordBatch batch) {
        return increment(batch.baseSequence(), batch.lastOffsetDelta());
    }

    static int increment(int sequence, int by) {
        return sequence > Integer.MAX_VALUE - by ? by - (Integer.MAX_VALUE - sequence) - 1 : sequence + by;
    }

    static int decrement(int sequence, int by) {
        return sequence < by ? Integer.MAX_VALUE - (by - sequence) + 1 : sequence - by;
    }

    /** Whether {@code next} is the sequence that follows {@code last}. */
    static boolean follows(int last, int next) {
        return next == last + 1L || (next == 0 && last == Integer.MAX_VALUE);
    }
}
