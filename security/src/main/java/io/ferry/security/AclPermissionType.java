package io.ferry.security;

/** Whether an ACL allows or denies, as Kafka's {@code AclPermissionType}. */
public enum AclPermissionType {
    /** In a filter: both. Never in a binding. */
    ANY,
    DENY,
    ALLOW
}
