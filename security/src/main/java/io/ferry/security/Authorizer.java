package io.ferry.security;

import java.util.Objects;
import java.util.Set;

/**
 * Kafka's {@code StandardAuthorizer} decision: a super user is always allowed; otherwise the ACLs decide
 * ({@link AclIndex}), and when no ACL names the resource at all, {@code allow.everyone.if.no.acl.found} does.
 *
 * <p>Immutable and thread-safe; build a new one when the ACLs or the settings change.
 *
 * @param acls every ACL of the cluster
 * @param superUsers the principals of {@code super.users}
 * @param allowEveryoneIfNoAclFound {@code allow.everyone.if.no.acl.found}: the answer for a resource no ACL
 *     names (Kafka's default is false)
 */
public record Authorizer(AclIndex acls, Set<Principal> superUsers, boolean allowEveryoneIfNoAclFound) {

    public Authorizer {
        Objects.requireNonNull(acls, "acls");
        superUsers = Set.copyOf(superUsers);
    }

    /**
     * May {@code principal}, connected from {@code host}, do {@code operation} on the resource?
     *
     * @param host the client's address as text ({@code InetAddress.getHostAddress()}), as ACLs name hosts
     * @param operation a concrete operation (not ANY or ALL)
     * @param resourceType a concrete type (not ANY)
     * @param resourceName the resource's name; {@link ResourcePattern#CLUSTER_NAME} for the cluster
     */
    public AuthorizationResult authorize(
            Principal principal, String host, AclOperation operation, ResourceType resourceType, String resourceName) {
        if (operation == AclOperation.ANY || operation == AclOperation.ALL || resourceType == ResourceType.ANY) {
            throw new IllegalArgumentException(
                    "a request is for one operation on one resource type, not " + operation + " on " + resourceType);
        }
        if (superUsers.contains(principal)) {
            return AuthorizationResult.ALLOWED;
        }
        return decided(acls.match(principal, host, operation, resourceType, resourceName));
    }

    /**
     * May {@code principal} do {@code operation} on some resource of the type (Kafka's
     * {@code authorizeByResourceType}, {@link AclIndex#matchAnyOfType}): InitProducerId's WRITE on any topic.
     * A super user may; where no ACL names a resource of the type, {@code allow.everyone.if.no.acl.found}
     * decides.
     */
    public AuthorizationResult authorizeAnyOfType(
            Principal principal, String host, AclOperation operation, ResourceType resourceType) {
        if (superUsers.contains(principal)) {
            return AuthorizationResult.ALLOWED;
        }
        return decided(acls.matchAnyOfType(principal, host, operation, resourceType));
    }

    private AuthorizationResult decided(AclIndex.Match match) {
        return switch (match) {
            case ALLOWED -> AuthorizationResult.ALLOWED;
            case DENIED -> AuthorizationResult.DENIED;
            case NO_ACL_FOUND -> allowEveryoneIfNoAclFound ? AuthorizationResult.ALLOWED : AuthorizationResult.DENIED;
        };
    }
}
