package io.ferry.security;

import java.util.Optional;

/**
 * Checks an ACL binding a caller asks to create, as Kafka's CreateAcls does: concrete enum values (no ANY,
 * no MATCH), a non-empty resource name, the cluster resource only under its one name, a principal written
 * {@code type:name}. Lengths are bounded too, since every controller and broker holds every ACL.
 */
public final class AclBindingValidator {

    /** Longest resource name, principal or host accepted. */
    public static final int MAX_FIELD_LENGTH = 1024;

    private AclBindingValidator() {}

    /** Why the binding cannot be created, naming the field; empty when it can. */
    public static Optional<String> problem(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        if (pattern.resourceType() == ResourceType.ANY) {
            return Optional.of("resource_type must be TOPIC, GROUP or CLUSTER, not ANY");
        }
        if (pattern.patternType() != PatternType.LITERAL && pattern.patternType() != PatternType.PREFIXED) {
            return Optional.of("pattern_type must be LITERAL or PREFIXED, not " + pattern.patternType());
        }
        if (entry.operation() == AclOperation.ANY) {
            return Optional.of("operation must be a concrete operation or ALL, not ANY");
        }
        if (entry.permissionType() == AclPermissionType.ANY) {
            return Optional.of("permission_type must be ALLOW or DENY, not ANY");
        }
        if (pattern.name().isEmpty()) {
            return Optional.of("resource_name must not be empty");
        }
        if (pattern.resourceType() == ResourceType.CLUSTER && !pattern.name().equals(ResourcePattern.CLUSTER_NAME)) {
            return Optional.of("resource_name of the CLUSTER resource must be " + ResourcePattern.CLUSTER_NAME
                    + ", was '" + pattern.name() + "'");
        }
        int colon = entry.principal().indexOf(':');
        if (colon <= 0) {
            return Optional.of("principal must be written type:name (User:alice), was '" + entry.principal() + "'");
        }
        if (entry.host().isEmpty()) {
            return Optional.of("host must be an address or " + AccessControlEntry.WILDCARD_HOST + ", was empty");
        }
        return tooLong("resource_name", pattern.name())
                .or(() -> tooLong("principal", entry.principal()))
                .or(() -> tooLong("host", entry.host()));
    }

    private static Optional<String> tooLong(String field, String value) {
        return value.length() > MAX_FIELD_LENGTH
                ? Optional.of(field + " is " + value.length() + " characters long; at most " + MAX_FIELD_LENGTH
                        + " are allowed")
                : Optional.empty();
    }
}
