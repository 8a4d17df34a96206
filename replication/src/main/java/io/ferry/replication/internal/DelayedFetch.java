package io.ferry.replication.internal;

import io.ferry.replication.FetchParams;
import io.ferry.replication.FetchedPartition;
import io.ferry.storage.TopicPartition;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A long-poll fetch: answered once at least {@code minBytes} can be returned, a partition has an
 * error to report, or {@code maxWaitMs} passed, whichever comes first. Checking reads the logs (a read
 * is a slice of a mapped segment, not a copy), so the answer is exactly what was counted.
 */
public final class DelayedFetch extends DelayedOperation {

    private final FetchParams params;
    private final Supplier<Map<TopicPartition, FetchedPartition>> read;
    private final Consumer<Map<TopicPartition, FetchedPartition>> callback;

    /**
     * @param read     reads every partition of the request now
     * @param callback receives the answer once
     */
    public DelayedFetch(FetchParams params, Supplier<Map<TopicPartition, FetchedPartition>> read,
                        Consumer<Map<TopicPartition, FetchedPartition>> callback) {
        super(params.maxWaitMs());
        this.params = params;
        this.read = read;
        this.callback = callback;
    }

    /** Whether {@code result} is worth answering before the deadline. */
    public static boolean satisfies(Map<TopicPartition, FetchedPartition> result, int minBytes) {
        long bytes = 0;
        for (FetchedPartition p : result.values()) {
            if (p.error() != null) {
                return true;
            }
            bytes += p.records().remaining();
        }
        return bytes >= minBytes;
    }

    @Override
    public boolean tryComplete() {
        return satisfies(read.get(), params.minBytes()) && forceComplete();
    }

    @Override
    protected void onComplete() {
        callback.accept(read.get());
    }
}
