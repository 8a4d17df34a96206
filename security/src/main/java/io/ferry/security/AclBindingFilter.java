package io.ferry.security;

import java.util.Objects;

/**
 * Selects ACLs to describe or delete (Kafka's {@code AclBindingFilter}: its resource-pattern and entry
 * filters in one). A null string matches every value, as does an {@code ANY} enum value.
 *
 * @param resourceType the type, or {@link ResourceType#ANY}
 * @param resourceName the name, or null for every name
 * @param patternType a binding's pattern type, {@link PatternType#ANY}, or {@link PatternType#MATCH}: the
 *     bindings that apply to {@code resourceName} (literal, wildcard and prefixes of it)
 * @param principal the principal as the ACL writes it, or null
 * @param host the host as the ACL writes it, or null
 * @param operation the operation, or {@link AclOperation#ANY}
 * @param permissionType the permission, or {@link AclPermissionType#ANY}
 */
public record AclBindingFilter(
        ResourceType resourceType,
        String resourceName,
        PatternType patternType,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permissionType) {

    /** Every ACL. */
    public static final AclBindingFilter ANY = new AclBindingFilter(
            ResourceType.ANY, null, PatternType.ANY, null, null, AclOperation.ANY, AclPermissionType.ANY);

    public AclBindingFilter {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }

    /** Whether the binding is one this filter selects. */
    public boolean matches(AclBinding binding) {
        return matches(binding.pattern()) && matches(binding.entry());
    }

    private boolean matches(ResourcePattern pattern) {
        if (resourceType != ResourceType.ANY && resourceType != pattern.resourceType()) {
            return false;
        }
        if (patternType != PatternType.ANY
                && patternType != PatternType.MATCH
                && patternType != pattern.patternType()) {
            return false;
        }
        if (resourceName == null) {
            return true;
        }
        if (patternType != PatternType.MATCH) {
            return resourceName.equals(pattern.name());
        }
        return switch (pattern.patternType()) {
            case LITERAL ->
                resourceName.equals(pattern.name()) || pattern.name().equals(ResourcePattern.WILDCARD_RESOURCE);
            case PREFIXED -> resourceName.startsWith(pattern.name());
            default -> false;
        };
    }

    private boolean matches(AccessControlEntry entry) {
        return (principal == null || principal.equals(entry.principal()))
                && (host == null || host.equals(entry.host()))
                && (operation == AclOperation.ANY || operation == entry.operation())
                && (permissionType == AclPermissionType.ANY || permissionType == entry.permissionType());
    }
}
