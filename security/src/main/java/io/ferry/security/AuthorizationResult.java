package io.ferry.security;

/** The authorizer's answer to one request, as Kafka's {@code AuthorizationResult}. */
public enum AuthorizationResult {
    ALLOWED,
    DENIED
}
