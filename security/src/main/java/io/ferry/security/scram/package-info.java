/**
 * SCRAM (RFC 5802) as pure logic: the mechanism, the credential a server stores instead of a password, and
 * the functions both sides compute. Used by the controller to store credentials, by brokers to verify clients,
 * and by clients to prove they know a password.
 */
package io.ferry.security.scram;
