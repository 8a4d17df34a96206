/**
 * Client internals, not API. The producer's parts: {@link io.ferry.client.internal.RecordAccumulator}
 * (per-partition batches, appended to by sending threads) and {@link io.ferry.client.internal.Sender}
 * (the one network thread that owns streams, in-flight requests and retries), with
 * {@link io.ferry.client.internal.MemoryLimiter} for {@code buffer.memory}. Shared by all clients:
 * {@link io.ferry.client.internal.MetadataManager} (a fresh {@link io.ferry.client.internal.ClusterView})
 * and {@link io.ferry.client.internal.Channels} (one gRPC channel per broker).
 */
package io.ferry.client.internal;
