/**
 * What the replication module needs from the node: the leader client (ReplicaFetch over gRPC), the ISR
 * channel (AlterPartition through the controller gateway), and the reconciliation of metadata views into
 * the replica manager. Not an API.
 */
package io.ferry.node.internal.broker.replica;
