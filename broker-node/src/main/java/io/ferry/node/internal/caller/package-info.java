/**
 * What the node's gRPC servers tell a service about a call: which listener it came in on
 * ({@link io.ferry.node.internal.caller.CallerListener}), which connection
 * ({@link io.ferry.node.internal.caller.CallerConnection}) and who made it
 * ({@link io.ferry.node.internal.caller.CallerPrincipal}). The endpoint installs them; the broker's
 * services read them. Not an API.
 */
package io.ferry.node.internal.caller;
