/**
 * The Ferry server process. Public API: {@link io.ferry.node.FerryNode} (start, bound addresses,
 * health, close, {@code main}), {@link io.ferry.node.NodeConfig} (validated, typed configuration),
 * {@link io.ferry.node.NodeConfigKeys} (every key's single definition) and
 * {@link io.ferry.node.ProcessRole}. The configuration framework is in the configuration module
 * ({@code io.ferry.config}); roles, endpoints and metrics are in {@code io.ferry.node.internal}.
 */
package io.ferry.node;
