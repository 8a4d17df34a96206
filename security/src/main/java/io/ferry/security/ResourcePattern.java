package io.ferry.security;

import java.util.Objects;

/**
 * The resources an ACL applies to (Kafka's {@code ResourcePattern}). Printed as Kafka prints it, which is
 * what {@code kafka-acls.sh --list} shows.
 *
 * @param resourceType the type; {@link ResourceType#ANY} only when the pattern is not a binding's
 * @param name the literal name, the wildcard {@link #WILDCARD_RESOURCE}, or a prefix
 * @param patternType {@link PatternType#LITERAL} or {@link PatternType#PREFIXED} in a binding
 */
public record ResourcePattern(ResourceType resourceType, String name, PatternType patternType) {

    /** A LITERAL name that matches every resource of its type. */
    public static final String WILDCARD_RESOURCE = "*";

    /** The name of the one CLUSTER resource, Kafka's. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    public ResourcePattern {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(patternType, "patternType");
    }

    /** The pattern of the cluster resource. */
    public static ResourcePattern cluster() {
        return new ResourcePattern(ResourceType.CLUSTER, CLUSTER_NAME, PatternType.LITERAL);
    }

    @Override
    public String toString() {
        return "ResourcePattern(resourceType=" + resourceType + ", name=" + name + ", patternType=" + patternType + ")";
    }
}
