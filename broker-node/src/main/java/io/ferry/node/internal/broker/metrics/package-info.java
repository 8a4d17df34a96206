/** The broker's request, partition, replication and log cleaner metrics. Not an API. */
package io.ferry.node.internal.broker.metrics;
