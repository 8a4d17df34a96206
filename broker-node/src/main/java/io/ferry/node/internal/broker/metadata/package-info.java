/** The broker's versioned view of the cluster metadata, and broker endpoints as a caller should see them. Not an API. */
package io.ferry.node.internal.broker.metadata;
