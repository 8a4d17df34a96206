package io.ferry.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every ACL, indexed so that deciding a request costs a few hash lookups, not a scan: it runs on every
 * request. LITERAL bindings are found by (type, name) and (type, {@code *}); PREFIXED ones by (type, prefix)
 * for each prefix length some PREFIXED binding of that type has, which are few.
 *
 * <p>The matching is Kafka's {@code StandardAuthorizerData}: an ACL applies when its principal is the
 * caller's or {@code User:*}, its host the caller's or {@code *}, and its operation the requested one or
 * ALL; an ALLOW of READ, WRITE, DELETE or ALTER also allows DESCRIBE, and one of ALTER_CONFIGS allows
 * DESCRIBE_CONFIGS (a DENY implies nothing). One applicable DENY anywhere (literal, wildcard or prefix)
 * decides DENIED; otherwise one applicable ALLOW decides ALLOWED. When no ACL at all names the resource
 * (whoever it is for), the answer is {@link Match#NO_ACL_FOUND} and the caller's policy decides.
 *
 * <p>Immutable and thread-safe: build a new index when the ACLs change.
 */
public final class AclIndex {

    /** What the ACLs say about one request. */
    public enum Match {
        ALLOWED,
        DENIED,
        /** No ACL names the resource; {@code allow.everyone.if.no.acl.found} decides. */
        NO_ACL_FOUND
    }

    private record Key(ResourceType type, String name) {}

    private static final int[] NO_LENGTHS = new int[0];

    private final Map<Key, AccessControlEntry[]> literal;
    private final Map<Key, AccessControlEntry[]> prefixed;
    /** Per type, the distinct lengths of its PREFIXED names, ascending. */
    private final Map<ResourceType, int[]> prefixLengths;

    private AclIndex(
            Map<Key, AccessControlEntry[]> literal,
            Map<Key, AccessControlEntry[]> prefixed,
            Map<ResourceType, int[]> prefixLengths) {
        this.literal = literal;
        this.prefixed = prefixed;
        this.prefixLengths = prefixLengths;
    }

    /** An index with no ACL. */
    public static AclIndex empty() {
        return of(List.of());
    }

    /**
     * Indexes the bindings, which are valid ({@link AclBindingValidator}); a duplicate counts once.
     *
     * @throws IllegalArgumentException for a binding that is a filter (an ANY or MATCH value)
     */
    public static AclIndex of(Collection<AclBinding> bindings) {
        Map<Key, List<AccessControlEntry>> literal = new HashMap<>();
        Map<Key, List<AccessControlEntry>> prefixed = new HashMap<>();
        Map<ResourceType, TreeSet<Integer>> lengths = new EnumMap<>(ResourceType.class);
        for (AclBinding b : bindings) {
            ResourcePattern p = b.pattern();
            if (p.resourceType() == ResourceType.ANY
                    || b.entry().operation() == AclOperation.ANY
                    || b.entry().permissionType() == AclPermissionType.ANY) {
                throw new IllegalArgumentException("not a binding but a filter: " + b);
            }
            Key key = new Key(p.resourceType(), p.name());
            switch (p.patternType()) {
                case LITERAL ->
                    literal.computeIfAbsent(key, k -> new ArrayList<>()).add(b.entry());
                case PREFIXED -> {
                    prefixed.computeIfAbsent(key, k -> new ArrayList<>()).add(b.entry());
                    lengths.computeIfAbsent(p.resourceType(), t -> new TreeSet<>())
                            .add(p.name().length());
                }
                default -> throw new IllegalArgumentException("not a binding but a filter: " + b);
            }
        }
        Map<ResourceType, int[]> prefixLengths = new EnumMap<>(ResourceType.class);
        lengths.forEach((type, set) ->
                prefixLengths.put(type, set.stream().mapToInt(Integer::intValue).toArray()));
        return new AclIndex(frozen(literal), frozen(prefixed), prefixLengths);
    }

    private static Map<Key, AccessControlEntry[]> frozen(Map<Key, List<AccessControlEntry>> entries) {
        Map<Key, AccessControlEntry[]> frozen = new HashMap<>();
        entries.forEach((k, v) -> frozen.put(k, v.stream().distinct().toArray(AccessControlEntry[]::new)));
        return frozen;
    }

    /**
     * What the ACLs say about {@code principal} at {@code host} doing {@code operation} on a resource.
     *
     * @param operation a concrete operation (not ANY or ALL)
     * @param resourceType a concrete type (not ANY)
     */
    public Match match(
            Principal principal, String host, AclOperation operation, ResourceType resourceType, String resourceName) {
        Scan scan = new Scan(principal.toString(), host, operation);
        if (scan.denies(literal.get(new Key(resourceType, resourceName)))
                || scan.denies(literal.get(new Key(resourceType, ResourcePattern.WILDCARD_RESOURCE)))) {
            return Match.DENIED;
        }
        for (int length : prefixLengths.getOrDefault(resourceType, NO_LENGTHS)) {
            if (length > resourceName.length()) {
                break;
            }
            if (scan.denies(prefixed.get(new Key(resourceType, resourceName.substring(0, length))))) {
                return Match.DENIED;
            }
        }
        if (scan.allowed) {
            return Match.ALLOWED;
        }
        return scan.found ? Match.DENIED : Match.NO_ACL_FOUND;
    }

    /**
     * Whether some resource of {@code resourceType} exists, named or not yet, on which the ACLs allow
     * {@code principal} at {@code host} to do {@code operation}: Kafka's {@code authorizeByResourceType}, which
     * InitProducerId asks of WRITE on topics. Some applicable ALLOW must not be covered by an applicable DENY: a
     * literal ALLOW is covered by a DENY of the same name, of {@code *}, or of a prefix of it; a prefixed ALLOW
     * by a DENY of {@code *} or of a prefix of its prefix (Kafka's rule; a literal DENY cannot cover every name
     * a prefix allows). A wildcard ALLOW decides unless a wildcard DENY exists. {@link Match#NO_ACL_FOUND} when
     * no ACL names a resource of the type at all. Walks every ACL of the type: for rare requests only.
     */
    public Match matchAnyOfType(Principal principal, String host, AclOperation operation, ResourceType resourceType) {
        String caller = principal.toString();
        Set<String> deniedLiterals = new HashSet<>();
        Set<String> deniedPrefixes = new HashSet<>();
        Set<String> allowedLiterals = new HashSet<>();
        Set<String> allowedPrefixes = new HashSet<>();
        boolean found = false;
        for (Map.Entry<Key, AccessControlEntry[]> e : literal.entrySet()) {
            if (e.getKey().type() == resourceType) {
                found = true;
                sort(e.getValue(), e.getKey().name(), caller, host, operation, deniedLiterals, allowedLiterals);
            }
        }
        for (Map.Entry<Key, AccessControlEntry[]> e : prefixed.entrySet()) {
            if (e.getKey().type() == resourceType) {
                found = true;
                sort(e.getValue(), e.getKey().name(), caller, host, operation, deniedPrefixes, allowedPrefixes);
            }
        }
        if (!found) {
            return Match.NO_ACL_FOUND;
        }
        if (deniedLiterals.contains(ResourcePattern.WILDCARD_RESOURCE)) {
            return Match.DENIED;
        }
        if (allowedLiterals.contains(ResourcePattern.WILDCARD_RESOURCE)) {
            return Match.ALLOWED;
        }
        for (String name : allowedLiterals) {
            if (!deniedLiterals.contains(name) && !startsWithAny(name, deniedPrefixes)) {
                return Match.ALLOWED;
            }
        }
        for (String prefix : allowedPrefixes) {
            if (!startsWithAny(prefix, deniedPrefixes)) {
                return Match.ALLOWED;
            }
        }
        return Match.DENIED;
    }

    /** Adds {@code name} to {@code denied} or {@code allowed} for each of its entries that applies. */
    private static void sort(
            AccessControlEntry[] entries,
            String name,
            String principal,
            String host,
            AclOperation operation,
            Set<String> denied,
            Set<String> allowed) {
        for (AccessControlEntry entry : entries) {
            if (AclRules.applies(entry, principal, host, operation)) {
                (entry.permissionType() == AclPermissionType.DENY ? denied : allowed).add(name);
            }
        }
    }

    private static boolean startsWithAny(String name, Set<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The state of one decision while its candidate ACLs are walked. */
    private static final class Scan {
        private final String principal;
        private final String host;
        private final AclOperation operation;
        /** Some ACL names the resource. */
        private boolean found;
        /** Some applicable ACL allows. */
        private boolean allowed;

        Scan(String principal, String host, AclOperation operation) {
            this.principal = principal;
            this.host = host;
            this.operation = operation;
        }

        /** Walks the entries of one resource pattern; true as soon as one applicable entry denies. */
        boolean denies(AccessControlEntry[] entries) {
            if (entries == null) {
                return false;
            }
            found = true;
            for (AccessControlEntry e : entries) {
                if (!AclRules.applies(e, principal, host, operation)) {
                    continue;
                }
                if (e.permissionType() == AclPermissionType.DENY) {
                    return true;
                }
                allowed = true;
            }
            return false;
        }
    }
}
