/**
 * The node's threads and executors ({@link io.ferry.node.internal.threads.NodeThreads}), which hand every
 * {@link java.lang.Error} to the node's fatal-error handler; every role makes its threads here. Not an API.
 */
package io.ferry.node.internal.threads;
