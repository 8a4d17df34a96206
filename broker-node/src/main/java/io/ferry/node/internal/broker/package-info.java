/**
 * The broker role's parts, in sub-packages by what they hold: {@code handler} (BrokerService and its
 * request handlers), {@code wire} (the off-heap produce marshaller), {@code memory} (the fetch memory
 * budgets), {@code controller} (the gateway to the controller quorum and the broker's session),
 * {@code metadata} (the broker's view of the cluster), {@code replica} (what the replication module needs
 * from the node), {@code topic} (topic config checks) and {@code metrics}. The role that wires them,
 * {@link io.ferry.node.internal.BrokerRole}, is in {@code io.ferry.node.internal} beside the controller
 * role: it reads the node's configuration, and no part here depends on the node's API or on the role.
 * Not an API.
 */
package io.ferry.node.internal.broker;
