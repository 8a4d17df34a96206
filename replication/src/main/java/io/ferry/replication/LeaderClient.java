package io.ferry.replication;

import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How a follower reaches the broker leading its partitions (the ReplicaFetch RPC in the broker). One
 * call carries every partition the follower follows on that leader. Implementations may keep a fetch
 * session with each leader (Kafka's KIP-227), so that the leader holds the positions that did not move and
 * answers only partitions with news. Implementations are thread-safe; each fetcher calls it for its own
 * leader, one call at a time. Cancelling the returned future abandons the call: that is how a fetcher stops
 * without interrupting its thread (an interrupt during file I/O would close the log's channel).
 */
@FunctionalInterface
public interface LeaderClient {

    /**
     * Fetches from broker {@code leaderId}, waiting up to {@code params.maxWaitMs()} there plus
     * {@code timeoutMs} for the answer.
     *
     * @param partitions every partition the fetcher follows on the leader, with its position now
     * @param fullRequest true to name every partition to the leader and answer every one (no session state
     *                    carried over): the fetcher asks for it when its followed set changed, since a partition
     *                    it followed anew may have the position it had before but not the high watermark
     * @return completes with a result for each partition the leader answered: every one of {@code partitions}
     *         unless the call continued a fetch session, whose answer leaves out partitions with nothing new
     *         (no records, no error, no divergence, the offsets the last answer gave); or exceptionally with an
     *         {@link IOException} when the leader could not be reached or did not answer in time
     */
    CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> fetch(
            int leaderId,
            int replicaId,
            FetchParams params,
            List<ReplicaFetchPartition> partitions,
            boolean fullRequest,
            long timeoutMs);
}
