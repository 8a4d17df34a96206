/**
 * The broker-wide and per-connection budgets of fetch answers in flight and of parked long-polls, and what Subscribe
 * streams hold. Not an API.
 */
package io.ferry.node.internal.broker.memory;
