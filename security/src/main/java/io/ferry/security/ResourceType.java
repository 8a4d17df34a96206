package io.ferry.security;

/** What an ACL protects, as Kafka's {@code ResourceType}; {@link #ANY} only in filters. */
public enum ResourceType {
    /** In a filter: every resource type. Never in a binding. */
    ANY,
    TOPIC,
    GROUP,
    /** The whole cluster; its one resource is named {@link ResourcePattern#CLUSTER_NAME}. */
    CLUSTER
}
