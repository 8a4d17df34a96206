package io.ferry.replication;

import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * How a follower reaches the broker leading its partitions (the ReplicaFetch RPC in the broker). One
 * call carries every partition the follower follows on that leader. Implementations are thread-safe;
 * each fetcher thread calls it for its own leader.
 */
@FunctionalInterface
public interface LeaderClient {

    /**
     * Fetches from broker {@code leaderId}, waiting up to {@code params.maxWaitMs()} there plus
     * {@code timeoutMs} for the answer.
     *
     * @return one result per requested partition
     * @throws IOException the leader could not be reached or did not answer in time
     */
    Map<TopicPartition, ReplicaFetchResult> fetch(int leaderId, int replicaId, FetchParams params,
                                                  List<ReplicaFetchPartition> partitions, long timeoutMs)
            throws IOException;
}
