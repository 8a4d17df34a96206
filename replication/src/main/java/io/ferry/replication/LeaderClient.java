package io.ferry.replication;

import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How a follower reaches the broker leading its partitions (the ReplicaFetch RPC in the broker). One
 * call carries every partition the follower follows on that leader. Implementations are thread-safe;
 * each fetcher thread calls it for its own leader. Cancelling the returned future abandons the call:
 * that is how a fetcher stops without interrupting its thread (an interrupt during file I/O would
 * close the log's channel).
 */
@FunctionalInterface
public interface LeaderClient {

    /**
     * Fetches from broker {@code leaderId}, waiting up to {@code params.maxWaitMs()} there plus
     * {@code timeoutMs} for the answer.
     *
     * @return completes with one result per requested partition, or exceptionally with an
     *         {@link IOException} when the leader could not be reached or did not answer in time
     */
    CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> fetch(
            int leaderId, int replicaId, FetchParams params, List<ReplicaFetchPartition> partitions, long timeoutMs);
}
