/**
 * Password authentication on a {@code SASL_SSL} listener: the SCRAM exchange as a gRPC stream
 * ({@link io.ferry.node.internal.sasl.SaslAuthenticationService}), the sessions it opens
 * ({@link io.ferry.node.internal.sasl.SaslSessions}), the interceptor that names each call's principal by its session
 * ({@link io.ferry.node.internal.sasl.SessionPrincipal}), and the seam to the stored credentials
 * ({@link io.ferry.node.internal.sasl.ScramCredentials}). Not an API.
 */
package io.ferry.node.internal.sasl;
