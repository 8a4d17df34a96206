package io.ferry.security;

import java.util.Objects;

/**
 * One ACL: an entry bound to a resource pattern (Kafka's {@code AclBinding}). Not validated on
 * construction, so that a caller's binding can be held and refused with {@link AclBindingValidator}'s
 * message.
 */
public record AclBinding(ResourcePattern pattern, AccessControlEntry entry) {

    public AclBinding {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(entry, "entry");
    }

    @Override
    public String toString() {
        return "(pattern=" + pattern + ", entry=" + entry + ")";
    }
}
