/**
 * The node's implementation: the roles it composes ({@link io.ferry.node.internal.NodeRole};
 * {@link io.ferry.node.internal.ControllerRole}, {@link io.ferry.node.internal.BrokerRole}), the gRPC and
 * HTTP endpoints, health and the meter registry. The broker role's parts are in {@code internal.broker.*};
 * what every role shares is below them, in {@code internal.threads} and {@code internal.caller}. Not an
 * API: other modules must not depend on it.
 */
package io.ferry.node.internal;
