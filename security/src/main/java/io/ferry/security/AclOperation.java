package io.ferry.security;

/** What a request does to a resource, as Kafka's {@code AclOperation}. */
public enum AclOperation {
    /** In a filter: bindings of every operation. Never in a binding or a request. */
    ANY,
    /** In a binding: every operation. */
    ALL,
    READ,
    WRITE,
    CREATE,
    DELETE,
    ALTER,
    DESCRIBE,
    CLUSTER_ACTION,
    DESCRIBE_CONFIGS,
    ALTER_CONFIGS,
    IDEMPOTENT_WRITE
}
