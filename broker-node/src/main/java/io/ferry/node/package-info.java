/**
 * The Ferry server process. Public API: {@link io.ferry.node.FerryNode} (start, bound addresses,
 * health, close, {@code main}), {@link io.ferry.node.NodeConfig} (validated, typed configuration) and
 * {@link io.ferry.node.ProcessRole}. The configuration framework and every key's single declaration
 * ({@code io.ferry.config.NodeKeys}) are in the configuration module; roles, endpoints and metrics are in {@code io.ferry.node.internal}.
 */
package io.ferry.node;
