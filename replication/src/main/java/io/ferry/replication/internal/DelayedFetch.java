package io.ferry.replication.internal;

import io.ferry.replication.PartitionRead;
import io.ferry.storage.TopicPartition;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A long-poll fetch (a consumer's or a follower's): answered once at least {@code minBytes} can be
 * returned, a partition has an error to report, or {@code maxWaitMs} passed, whichever comes first.
 *
 * <p>A check first compares where the partitions stand with where they stood at the last read that found too
 * little ({@link ReadPositions}): unchanged, they would read the same, and the check ends there. Otherwise it
 * reads the logs (a read is a slice of a mapped segment, not a copy); a read that satisfies the fetch is its
 * answer, and one that does not is released at once.
 *
 * @param <R> what a read of one partition returns
 */
public final class DelayedFetch<R extends PartitionRead> extends DelayedOperation {

    private final int minBytes;
    private final Supplier<ReadPositions> positions;
    private final Supplier<Map<TopicPartition, R>> read;
    private final Consumer<Map<TopicPartition, R>> callback;
    /** The positions taken before the latest read that found too little; older ones only cost a read. */
    private volatile ReadPositions positionsOfLastRead;
    /** A read that satisfied a check, for the answer; whoever takes it out owns its leases. */
    private final AtomicReference<Map<TopicPartition, R>> satisfyingRead = new AtomicReference<>();

    /**
     * @param positions    where the request's partitions stand now
     * @param lastRead     the positions taken before the read that found too little and made this fetch wait
     * @param read         reads every partition of the request now
     * @param callback     receives the answer once
     */
    public DelayedFetch(
            long maxWaitMs,
            int minBytes,
            Supplier<ReadPositions> positions,
            ReadPositions lastRead,
            Supplier<Map<TopicPartition, R>> read,
            Consumer<Map<TopicPartition, R>> callback) {
        super(maxWaitMs);
        this.minBytes = minBytes;
        this.positions = positions;
        this.positionsOfLastRead = lastRead;
        this.read = read;
        this.callback = callback;
    }

    /** Whether {@code result} is worth answering before the deadline. */
    public static boolean satisfies(Map<TopicPartition, ? extends PartitionRead> result, int minBytes) {
        long bytes = 0;
        for (PartitionRead p : result.values()) {
            if (p.error() != null) {
                return true;
            }
            bytes += p.records().remaining();
        }
        return bytes >= minBytes;
    }

    @Override
    public boolean tryComplete() {
        ReadPositions before = positions.get();
        if (before.sameAs(positionsOfLastRead)) {
            return false;
        }
        Map<TopicPartition, R> now = read.get();
        if (!satisfies(now, minBytes)) {
            release(now);
            positionsOfLastRead = before;
            return false;
        }
        if (!satisfyingRead.compareAndSet(null, now)) {
            // Another check's read is waiting to be the answer.
            release(now);
        }
        if (forceComplete()) {
            return true;
        }
        // Answered meanwhile (its wait ended, or another check): give this read back unless the answer took it.
        if (satisfyingRead.compareAndSet(now, null)) {
            release(now);
        }
        return false;
    }

    /** Gives back the slices of a read nobody answers with. */
    public static void release(Map<TopicPartition, ? extends PartitionRead> dropped) {
        dropped.values().forEach(partition -> partition.lease().release());
    }

    @Override
    protected void onComplete() {
        Map<TopicPartition, R> satisfied = satisfyingRead.getAndSet(null);
        callback.accept(satisfied != null ? satisfied : read.get());
    }
}
