package io.ferry.security;

import java.util.EnumSet;
import java.util.Set;

/** Whether one ACL entry applies to a request, Kafka's {@code StandardAuthorizerData.findResult}. */
final class AclRules {

    /** An ALLOW of these allows DESCRIBE too. */
    static final Set<AclOperation> IMPLIES_DESCRIBE = EnumSet.of(
            AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER);

    /** An ALLOW of these allows DESCRIBE_CONFIGS too. */
    static final Set<AclOperation> IMPLIES_DESCRIBE_CONFIGS =
            EnumSet.of(AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    private AclRules() {}

    /**
     * @param principal the caller, written {@code type:name}
     * @param operation the requested operation (concrete)
     */
    static boolean applies(AccessControlEntry entry, String principal, String host, AclOperation operation) {
        if (!entry.principal().equals(principal) && !entry.principal().equals(AccessControlEntry.WILDCARD_PRINCIPAL)) {
            return false;
        }
        if (!entry.host().equals(AccessControlEntry.WILDCARD_HOST)
                && !entry.host().equals(host)) {
            return false;
        }
        if (entry.operation() == AclOperation.ALL || entry.operation() == operation) {
            return true;
        }
        if (entry.permissionType() != AclPermissionType.ALLOW) {
            return false;
        }
        return switch (operation) {
            case DESCRIBE -> IMPLIES_DESCRIBE.contains(entry.operation());
            case DESCRIBE_CONFIGS -> IMPLIES_DESCRIBE_CONFIGS.contains(entry.operation());
            default -> false;
        };
    }
}
