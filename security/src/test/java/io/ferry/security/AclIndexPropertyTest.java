package io.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The index decides as a plain scan of every ACL with Kafka's rules, written out without an index. */
class AclIndexPropertyTest {

    private static final List<String> NAMES = List.of("a", "ab", "abc", "b", "ba", "*");
    private static final List<String> PRINCIPALS = List.of("User:alice", "User:bob", "User:*", "Group:alice");
    private static final List<String> HOSTS = List.of("*", "h1", "h2");

    @Property(tries = 500)
    void theIndexDecidesAsAScanOfEveryAcl(
            @ForAll("acls") List<AclBinding> acls,
            @ForAll("callers") String principal,
            @ForAll("hosts") String host,
            @ForAll("operations") AclOperation operation,
            @ForAll("types") ResourceType type,
            @ForAll("names") String name,
            @ForAll boolean allowEveryone) {
        Principal who = Principal.parse(principal);
        AuthorizationResult indexed =
                new Authorizer(AclIndex.of(acls), Set.of(), allowEveryone).authorize(who, host, operation, type, name);
        assertEquals(scan(acls, who, host, operation, type, name, allowEveryone), indexed);
    }

    /** Kafka's rules read one by one over the whole list. */
    private static AuthorizationResult scan(
            List<AclBinding> acls,
            Principal who,
            String host,
            AclOperation operation,
            ResourceType type,
            String name,
            boolean allowEveryone) {
        boolean found = false;
        boolean allowed = false;
        for (AclBinding acl : acls) {
            ResourcePattern p = acl.pattern();
            boolean onResource = p.resourceType() == type
                    && (p.patternType() == PatternType.LITERAL
                            ? p.name().equals(name) || p.name().equals("*")
                            : name.startsWith(p.name()));
            if (!onResource) {
                continue;
            }
            found = true;
            AccessControlEntry e = acl.entry();
            boolean principalMatches =
                    e.principal().equals(who.toString()) || e.principal().equals("User:*");
            boolean hostMatches = e.host().equals("*") || e.host().equals(host);
            boolean deny = e.permissionType() == AclPermissionType.DENY;
            boolean operationMatches = e.operation() == AclOperation.ALL
                    || e.operation() == operation
                    || (!deny
                            && operation == AclOperation.DESCRIBE
                            && Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER)
                                    .contains(e.operation()))
                    || (!deny
                            && operation == AclOperation.DESCRIBE_CONFIGS
                            && e.operation() == AclOperation.ALTER_CONFIGS);
            if (principalMatches && hostMatches && operationMatches) {
                if (deny) {
                    return AuthorizationResult.DENIED;
                }
                allowed = true;
            }
        }
        if (allowed || (!found && allowEveryone)) {
            return AuthorizationResult.ALLOWED;
        }
        return AuthorizationResult.DENIED;
    }

    @Provide
    Arbitrary<List<AclBinding>> acls() {
        Arbitrary<AclBinding> acl = Combinators.combine(
                        principals(),
                        hosts(),
                        Arbitraries.of(AclOperation.class).filter(o -> o != AclOperation.ANY),
                        Arbitraries.of(AclPermissionType.ALLOW, AclPermissionType.DENY),
                        types(),
                        names(),
                        Arbitraries.of(PatternType.LITERAL, PatternType.PREFIXED))
                .as((principal, host, op, permission, type, name, pattern) ->
                        Acls.binding(principal, host, op, permission, type, name, pattern));
        return acl.list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> principals() {
        return Arbitraries.of(PRINCIPALS);
    }

    @Provide
    Arbitrary<String> callers() {
        return Arbitraries.of(PRINCIPALS).filter(p -> !p.equals(AccessControlEntry.WILDCARD_PRINCIPAL));
    }

    @Provide
    Arbitrary<String> hosts() {
        return Arbitraries.of(HOSTS);
    }

    @Provide
    Arbitrary<AclOperation> operations() {
        return Arbitraries.of(AclOperation.class).filter(o -> o != AclOperation.ANY && o != AclOperation.ALL);
    }

    @Provide
    Arbitrary<ResourceType> types() {
        return Arbitraries.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.of(NAMES);
    }
}
