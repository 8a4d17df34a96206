/**
 * The node's implementation: roles ({@link io.ferry.node.internal.NodeRole}, the controller role; the
 * broker role in {@code internal.broker}),
 * the gRPC and HTTP endpoints, the meter registry. Not an API: other modules must not depend on it.
 */
package io.ferry.node.internal;
