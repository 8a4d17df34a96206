package io.ferry.security;

import java.util.Objects;

/**
 * Who may or may not do what from where (Kafka's {@code AccessControlEntry}).
 *
 * @param principal {@code type:name}, or {@link #WILDCARD_PRINCIPAL} for everyone; kept as written, since
 *     ACLs match principals by this text
 * @param host a client address, or {@link #WILDCARD_HOST} for every address
 * @param operation the operation; {@link AclOperation#ALL} for all of them
 * @param permissionType {@link AclPermissionType#ALLOW} or {@link AclPermissionType#DENY}
 */
public record AccessControlEntry(
        String principal, String host, AclOperation operation, AclPermissionType permissionType) {

    /** The principal that stands for every principal. */
    public static final String WILDCARD_PRINCIPAL = "User:*";

    /** The host that stands for every host. */
    public static final String WILDCARD_HOST = "*";

    public AccessControlEntry {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }

    /** As {@code kafka-acls.sh --list} prints an entry. */
    @Override
    public String toString() {
        return "(principal=" + principal + ", host=" + host + ", operation=" + operation + ", permissionType="
                + permissionType + ")";
    }
}
