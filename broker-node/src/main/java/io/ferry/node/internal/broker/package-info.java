/**
 * The broker role: its controller session ({@link io.ferry.node.internal.broker.BrokerLifecycle}),
 * metadata view and reconciliation, the client-facing {@code ferry.v1.BrokerService} and its metrics.
 * Not an API.
 */
package io.ferry.node.internal.broker;
