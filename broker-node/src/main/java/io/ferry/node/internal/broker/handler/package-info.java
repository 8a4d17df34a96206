/**
 * {@code ferry.v1.BrokerService} ({@link io.ferry.node.internal.broker.handler.BrokerGrpcService}) and a
 * handler per request kind: produce, fetch, replica fetch, list offsets, delete records, and the admin calls
 * forwarded to the controllers; with the request checks they share. Not an API.
 */
package io.ferry.node.internal.broker.handler;
