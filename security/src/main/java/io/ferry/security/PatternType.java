package io.ferry.security;

/** How an ACL's resource name matches, as Kafka's {@code PatternType}. */
public enum PatternType {
    /** In a filter: bindings of every pattern type. Never in a binding. */
    ANY,
    /**
     * In a filter: the bindings that would apply to the filter's (literal) name: that literal name, the
     * wildcard {@code *}, and every prefix of it. Never in a binding.
     */
    MATCH,
    /** The exact name, or every name when it is {@link ResourcePattern#WILDCARD_RESOURCE}. */
    LITERAL,
    /** Every name that starts with this one. */
    PREFIXED
}
