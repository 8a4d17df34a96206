/**
 * Authentication and authorization as pure logic: {@link io.ferry.security.Principal}, the principal mapping
 * of certificate subjects, and the ACL authorizer's semantics. No threads, no clock, no I/O; the broker-node
 * and controller modules wire it to listeners, handlers and metadata.
 */
package io.ferry.security;
