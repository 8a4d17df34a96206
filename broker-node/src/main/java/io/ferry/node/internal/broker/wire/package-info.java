/**
 * How produce requests come off the network: parsed into a pooled direct buffer whose record slices go to
 * the log without another copy. Not an API.
 */
package io.ferry.node.internal.broker.wire;
