/**
 * Per-partition replica state on a broker: {@link io.ferry.replication.ReplicaManager} (the hosted
 * partitions and the produce, fetch and ListOffsets paths through them), {@link io.ferry.replication.Partition}
 * (one replica and its role moves), the narrow {@link io.ferry.replication.ReplicaLog} and
 * {@link io.ferry.replication.Timer} it runs on, and the value types of its API.
 */
package io.ferry.replication;
