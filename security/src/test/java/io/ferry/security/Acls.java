package io.ferry.security;

import java.util.List;
import java.util.Set;

/** Short ways to write the ACLs and decisions of the authorizer's tests. */
final class Acls {
    static final Principal ALICE = Principal.user("alice");
    static final Principal BOB = Principal.user("bob");
    static final String HOST = "10.0.0.1";

    private Acls() {}

    static AclBinding allow(String principal, AclOperation op, ResourceType type, String name, PatternType pattern) {
        return binding(principal, "*", op, AclPermissionType.ALLOW, type, name, pattern);
    }

    static AclBinding deny(String principal, AclOperation op, ResourceType type, String name, PatternType pattern) {
        return binding(principal, "*", op, AclPermissionType.DENY, type, name, pattern);
    }

    static AclBinding binding(
            String principal,
            String host,
            AclOperation op,
            AclPermissionType permission,
            ResourceType type,
            String name,
            PatternType pattern) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, permission));
    }

    static AuthorizationResult decide(List<AclBinding> acls, Principal who, AclOperation op, String topic) {
        return new Authorizer(AclIndex.of(acls), Set.of(), false).authorize(who, HOST, op, ResourceType.TOPIC, topic);
    }
}
