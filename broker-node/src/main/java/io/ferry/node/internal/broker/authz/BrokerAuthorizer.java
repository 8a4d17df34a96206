package io.ferry.node.internal.broker.authz;

import io.ferry.controller.AclProtos;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.security.AclIndex;
import io.ferry.security.AclOperation;
import io.ferry.security.AuthorizationResult;
import io.ferry.security.Authorizer;
import io.ferry.security.Principal;
import io.ferry.security.ResourcePattern;
import io.ferry.security.ResourceType;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The broker's authorizer ({@code authorizer.class.name}): decides each call's operation on its resources with
 * Kafka's StandardAuthorizer semantics ({@link Authorizer}) over the ACLs of the broker's metadata view (a
 * controller's gate uses one over the controller's own metadata). The ACL index is rebuilt when the metadata
 * version changes, once, not per request. A refusal is an
 * {@link Error} with Kafka's code (TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED) and a message naming the
 * operation and the resource, never the ACLs; each is recorded ({@link AuthorizationDenials}).
 *
 * <p>Thread-safe: handlers on any thread ask it.
 */
public final class BrokerAuthorizer {

    private record Decider(long version, Authorizer authorizer) {}

    /** Null when authorization is off. */
    private final LongSupplier version;

    private final Supplier<Collection<AclBinding>> acls;
    private final Set<Principal> superUsers;
    private final boolean allowEveryoneIfNoAclFound;
    private final AuthorizationDenials denials;
    /** The decider of the last version asked about; null before the first call, and always when authorization is off. */
    private volatile Decider decider;

    private BrokerAuthorizer(
            LongSupplier version,
            Supplier<Collection<AclBinding>> acls,
            Set<Principal> superUsers,
            boolean allowEveryoneIfNoAclFound,
            AuthorizationDenials denials) {
        this.version = version;
        this.acls = acls;
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        this.denials = denials;
    }

    /** No authorization: every caller may do everything (an empty {@code authorizer.class.name}). */
    public static BrokerAuthorizer allowingEverything() {
        return new BrokerAuthorizer(null, null, Set.of(), true, null);
    }

    /**
     * Authorization over the ACLs of the broker's view.
     *
     * @param metadata                  the broker's current metadata view
     * @param superUsers                {@code super.users}
     * @param allowEveryoneIfNoAclFound {@code allow.everyone.if.no.acl.found}
     */
    public static BrokerAuthorizer overAcls(
            Supplier<BrokerMetadata> metadata,
            Set<Principal> superUsers,
            boolean allowEveryoneIfNoAclFound,
            AuthorizationDenials denials) {
        return overAcls(
                () -> metadata.get().version(),
                () -> metadata.get().acls().values(),
                superUsers,
                allowEveryoneIfNoAclFound,
                denials);
    }

    /**
     * Authorization over the ACLs of some metadata, such as a controller's own.
     *
     * @param version the version of the metadata the ACLs are read from; they are read again when it changed
     * @param acls    every ACL of that metadata
     */
    public static BrokerAuthorizer overAcls(
            LongSupplier version,
            Supplier<Collection<AclBinding>> acls,
            Set<Principal> superUsers,
            boolean allowEveryoneIfNoAclFound,
            AuthorizationDenials denials) {
        return new BrokerAuthorizer(version, acls, superUsers, allowEveryoneIfNoAclFound, denials);
    }

    /** Whether calls are authorized at all ({@code authorizer.class.name} is set): when not, everyone may do everything. */
    public boolean enforces() {
        return version != null;
    }

    /** Null when the caller may do {@code operation} on the topic, else TOPIC_AUTHORIZATION_FAILED. */
    public Error topic(Caller caller, AclOperation operation, String topic) {
        return check(caller, operation, ResourceType.TOPIC, topic, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }

    /** Null when the caller may do {@code operation} on the group, else GROUP_AUTHORIZATION_FAILED. */
    public Error group(Caller caller, AclOperation operation, String groupId) {
        return check(caller, operation, ResourceType.GROUP, groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }

    /** Null when the caller may do {@code operation} on the cluster, else CLUSTER_AUTHORIZATION_FAILED. */
    public Error cluster(Caller caller, AclOperation operation) {
        return check(
                caller,
                operation,
                ResourceType.CLUSTER,
                ResourcePattern.CLUSTER_NAME,
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }

    /**
     * Whether the caller may do {@code operation} on the resource, with nothing recorded when it may not: for
     * answers that leave out what the caller may not see (Kafka's filtering of Metadata and ListGroups), and
     * for one of several ways to be allowed.
     */
    public boolean allows(Caller caller, AclOperation operation, ResourceType type, String name) {
        Decider current = current();
        return current == null
                || current.authorizer.authorize(caller.principal(), caller.host(), operation, type, name)
                        == AuthorizationResult.ALLOWED;
    }

    /** Whether the caller may do {@code operation} on some resource of {@code type}, existing or not; uncounted. */
    public boolean allowsSomeOf(Caller caller, AclOperation operation, ResourceType type) {
        Decider current = current();
        return current == null
                || current.authorizer.authorizeAnyOfType(caller.principal(), caller.host(), operation, type)
                        == AuthorizationResult.ALLOWED;
    }

    /** Records a refusal the caller decided from {@link #allows} answers, and returns its error. */
    public Error refuse(Caller caller, AclOperation operation, ResourceType type, String name, ErrorCode code) {
        denials.denied(caller, operation, type, name);
        return Error.newBuilder()
                .setCode(code)
                .setMessage("not authorized to " + operation + " " + type.name().toLowerCase(Locale.ROOT)
                        + (type == ResourceType.CLUSTER ? "" : " '" + name + "'"))
                .build();
    }

    private Error check(Caller caller, AclOperation operation, ResourceType type, String name, ErrorCode code) {
        return allows(caller, operation, type, name) ? null : refuse(caller, operation, type, name, code);
    }

    /** The decider for the view's version, built when the version changed; null when authorization is off. */
    private Decider current() {
        if (version == null) {
            return null;
        }
        long now = version.getAsLong();
        Decider current = decider;
        if (current != null && current.version == now) {
            return current;
        }
        synchronized (this) {
            current = decider;
            if (current == null || current.version != now) {
                // Read after the version: ACLs newer than it are read again when the version is next asked.
                AclIndex index =
                        AclIndex.of(acls.get().stream().map(AclProtos::binding).toList());
                current = new Decider(now, new Authorizer(index, superUsers, allowEveryoneIfNoAclFound));
                decider = current;
            }
            return current;
        }
    }
}
