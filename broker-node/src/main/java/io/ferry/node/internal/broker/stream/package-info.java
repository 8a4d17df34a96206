/**
 * Bidirectional request streams under gRPC manual flow control, shared by Produce's and Publish's streams.
 * Not an API.
 */
package io.ferry.node.internal.broker.stream;
