package io.ferry.replication;

/**
 * How replicas keep up with their leader; Kafka's key names and meanings.
 *
 * @param replicaLagTimeMaxMs    a follower that has not caught up with the leader's log end offset for this long leaves
 *                               the ISR ({@code replica.lag.time.max.ms})
 * @param fetchMaxWaitMs         how long a leader holds a follower fetch that finds nothing new
 *                               ({@code replica.fetch.wait.max.ms}); also bounds how soon the follower learns a new
 *                               high watermark when no records flow
 * @param fetchMinBytes          a leader answers a follower fetch once this many bytes are available
 *                               ({@code replica.fetch.min.bytes})
 * @param fetchMaxBytes          bound on one follower fetch answer ({@code replica.fetch.response.max.bytes}); the first
 *                               batch is sent even if larger
 * @param partitionFetchMaxBytes bound per partition ({@code replica.fetch.max.bytes})
 * @param fetchBackoffMs         pause after a failed follower fetch ({@code replica.fetch.backoff.ms})
 * @param requestTimeoutMs       longest a follower waits for an answer beyond {@code fetchMaxWaitMs}
 */
public record ReplicationConfig(
        long replicaLagTimeMaxMs,
        int fetchMaxWaitMs,
        int fetchMinBytes,
        int fetchMaxBytes,
        int partitionFetchMaxBytes,
        long fetchBackoffMs,
        long requestTimeoutMs) {

    public ReplicationConfig {
        if (replicaLagTimeMaxMs <= 0
                || fetchMaxWaitMs < 0
                || fetchMinBytes < 0
                || fetchMaxBytes <= 0
                || partitionFetchMaxBytes <= 0
                || fetchBackoffMs < 0
                || requestTimeoutMs <= 0) {
            throw new IllegalArgumentException("invalid replication settings: " + this);
        }
        if (fetchMaxWaitMs >= replicaLagTimeMaxMs) {
            // A follower parked longer than the lag limit would leave the ISR while fully caught up.
            throw new IllegalArgumentException("replica.fetch.wait.max.ms (" + fetchMaxWaitMs
                    + ") must be below replica.lag.time.max.ms (" + replicaLagTimeMaxMs + ")");
        }
    }
}
