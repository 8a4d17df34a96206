package io.ferry.controller;

import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.security.AccessControlEntry;
import io.ferry.security.AclOperation;
import io.ferry.security.AclPermissionType;
import io.ferry.security.PatternType;
import io.ferry.security.ResourcePattern;
import io.ferry.security.ResourceType;

/**
 * Reads the ACL messages of {@code acl.proto} into the {@code security} module's model and writes them back.
 * A proto enum value {@code X_Y} is the model's {@code Y}; an unset (UNSPECIFIED) or unknown value is refused
 * with an {@link IllegalArgumentException} naming the field. The controller reads requests and writes its
 * metadata with it; brokers read the ACLs of their metadata view with it.
 */
public final class AclProtos {

    private AclProtos() {}

    /** The model of a binding. */
    public static io.ferry.security.AclBinding binding(AclBinding b) {
        return new io.ferry.security.AclBinding(
                new ResourcePattern(
                        resourceType(b.getResourceType()), b.getResourceName(), patternType(b.getPatternType())),
                new AccessControlEntry(
                        b.getPrincipal(),
                        b.getHost(),
                        operation(b.getOperation()),
                        permissionType(b.getPermissionType())));
    }

    /** The message of a binding. */
    public static AclBinding proto(io.ferry.security.AclBinding b) {
        return AclBinding.newBuilder()
                .setResourceType(io.ferry.proto.v1.ResourceType.valueOf(
                        "RESOURCE_TYPE_" + b.pattern().resourceType().name()))
                .setResourceName(b.pattern().name())
                .setPatternType(io.ferry.proto.v1.PatternType.valueOf(
                        "PATTERN_TYPE_" + b.pattern().patternType().name()))
                .setPrincipal(b.entry().principal())
                .setHost(b.entry().host())
                .setOperation(io.ferry.proto.v1.AclOperation.valueOf(
                        "ACL_OPERATION_" + b.entry().operation().name()))
                .setPermissionType(io.ferry.proto.v1.AclPermissionType.valueOf(
                        "ACL_PERMISSION_TYPE_" + b.entry().permissionType().name()))
                .build();
    }

    /** The model of a filter; an unset optional field matches anything. */
    public static io.ferry.security.AclBindingFilter filter(AclBindingFilter f) {
        return new io.ferry.security.AclBindingFilter(
                resourceType(f.getResourceType()),
                f.hasResourceName() ? f.getResourceName() : null,
                patternType(f.getPatternType()),
                f.hasPrincipal() ? f.getPrincipal() : null,
                f.hasHost() ? f.getHost() : null,
                operation(f.getOperation()),
                permissionType(f.getPermissionType()));
    }

    private static ResourceType resourceType(io.ferry.proto.v1.ResourceType t) {
        return ResourceType.valueOf(concrete("resource_type", t, "RESOURCE_TYPE_"));
    }

    private static PatternType patternType(io.ferry.proto.v1.PatternType t) {
        return PatternType.valueOf(concrete("pattern_type", t, "PATTERN_TYPE_"));
    }

    private static AclOperation operation(io.ferry.proto.v1.AclOperation o) {
        return AclOperation.valueOf(concrete("operation", o, "ACL_OPERATION_"));
    }

    private static AclPermissionType permissionType(io.ferry.proto.v1.AclPermissionType p) {
        return AclPermissionType.valueOf(concrete("permission_type", p, "ACL_PERMISSION_TYPE_"));
    }

    /** The value's name without its prefix; refused when it is UNSPECIFIED or a number this build does not know. */
    private static String concrete(String field, Enum<?> value, String prefix) {
        String name = value.name();
        if (name.equals("UNRECOGNIZED") || name.equals(prefix + "UNSPECIFIED")) {
            throw new IllegalArgumentException(field + " is unset or unknown");
        }
        return name.substring(prefix.length());
    }
}
