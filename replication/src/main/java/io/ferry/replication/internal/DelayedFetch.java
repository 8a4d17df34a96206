package io.ferry.replication.internal;

import io.ferry.replication.PartitionRead;
import io.ferry.storage.TopicPartition;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A long-poll fetch (a consumer's or a follower's): answered once at least {@code minBytes} can be
 * returned, a partition has an error to report, or {@code maxWaitMs} passed, whichever comes first.
 * Checking reads the logs (a read is a slice of a mapped segment, not a copy, and is released once
 * counted); the answer reads them again, so it is at least what was counted.
 *
 * @param <R> what a read of one partition returns
 */
public final class DelayedFetch<R extends PartitionRead> extends DelayedOperation {

    private final int minBytes;
    private final Supplier<Map<TopicPartition, R>> read;
    private final Consumer<Map<TopicPartition, R>> callback;

    /**
     * @param read     reads every partition of the request now
     * @param callback receives the answer once
     */
    public DelayedFetch(
            long maxWaitMs,
            int minBytes,
            Supplier<Map<TopicPartition, R>> read,
            Consumer<Map<TopicPartition, R>> callback) {
        super(maxWaitMs);
        this.minBytes = minBytes;
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
        Map<TopicPartition, R> now = read.get();
        boolean satisfied = satisfies(now, minBytes);
        release(now);
        return satisfied && forceComplete();
    }

    /** Gives back the slices of a read nobody answers with. */
    public static void release(Map<TopicPartition, ? extends PartitionRead> dropped) {
        dropped.values().forEach(partition -> partition.lease().release());
    }

    @Override
    protected void onComplete() {
        callback.accept(read.get());
    }
}
