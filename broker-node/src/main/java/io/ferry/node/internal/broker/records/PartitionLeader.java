package io.ferry.node.internal.broker.records;

import io.ferry.storage.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The leader of some partitions, as a Subscribe reads them: this broker's own replica manager
 * ({@link LocalLeader}) or another broker over gRPC ({@link RemoteLeader}). Answers may complete on any thread;
 * a failed call completes exceptionally (and is retried by the caller), a partition's error is in its answer.
 */
interface PartitionLeader {

    /** One partition of a read and where it continues. */
    record Position(TopicPartition tp, long offset) {}

    /**
     * Kafka's ListOffsets on the leader: {@code -2} the log start, {@code -1} the high watermark, else the first
     * offset at or after the timestamp ({@code -1} if none). Completes with {@link SubscribeRefusal} when the
     * leader refuses.
     */
    CompletableFuture<Long> listOffset(TopicPartition tp, long timestamp);

    /**
     * A consumer read (below the high watermark) that waits up to {@code maxWaitMs} for a first byte.
     * Cancelling the answer stops the read where that is possible; the answers' leases are the caller's.
     */
    CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(List<Position> positions, int maxBytes, long maxWaitMs);
}
