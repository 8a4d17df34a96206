/** The broker's request, partition and replication metrics. Not an API. */
package io.ferry.node.internal.broker.metrics;
