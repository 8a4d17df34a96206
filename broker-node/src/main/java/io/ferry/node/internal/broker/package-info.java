/**
 * The broker role ({@link io.ferry.node.internal.broker.BrokerRole}): it wires the partition logs, the
 * replica manager, the controller gateway and session, and the client-facing service, and judges the
 * broker's health. The parts live in sub-packages by what they hold: {@code handler} (BrokerService and its
 * request handlers), {@code wire} (the off-heap produce marshaller), {@code memory} (the fetch memory
 * budgets), {@code controller} (the gateway to the controller quorum and the broker's session),
 * {@code metadata} (the broker's view of the cluster), {@code replica} (what the replication module needs
 * from the node), {@code topic} (topic config checks) and {@code metrics}. Not an API.
 */
package io.ferry.node.internal.broker;
