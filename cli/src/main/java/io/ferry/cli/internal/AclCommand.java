package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry acl add|remove|list}, with {@code kafka-acls.sh}'s options and output. */
@Command(
        name = "acl",
        mixinStandardHelpOptions = true,
        description = "Add, remove and list ACLs, as kafka-acls.sh --add, --remove and --list.",
        subcommands = {AclCommand.Add.class, AclCommand.Remove.class, AclCommand.ListAcls.class})
public final class AclCommand extends ParentCommand {

    /** The resources an ACL command names: kafka-acls.sh's --topic, --group, --cluster, --resource-pattern-type. */
    static final class Resources {
        @Option(names = "--topic", paramLabel = "NAME", description = "A topic (repeatable); '*' is every topic.")
        List<String> topics = new ArrayList<>();

        @Option(
                names = "--group",
                paramLabel = "ID",
                description = "A consumer group (repeatable); '*' is every group.")
        List<String> groups = new ArrayList<>();

        @Option(names = "--cluster", description = "The cluster (resource name kafka-cluster).")
        boolean cluster;

        @Option(
                names = "--resource-pattern-type",
                paramLabel = "TYPE",
                description = "LITERAL (default) or PREFIXED; to remove and list also ANY or MATCH.")
        String patternType = "LITERAL";

        PatternType patternType() {
            try {
                return PatternType.valueOf("PATTERN_TYPE_" + patternType.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException(
                        "--resource-pattern-type is LITERAL, PREFIXED, ANY or MATCH, not " + patternType);
            }
        }

        /** (type, name) of each resource named, in the order: topics, groups, cluster. */
        List<AclBinding> named() {
            List<AclBinding> resources = new ArrayList<>();
            PatternType pattern = patternType();
            topics.forEach(t -> resources.add(resource(ResourceType.RESOURCE_TYPE_TOPIC, t, pattern)));
            groups.forEach(g -> resources.add(resource(ResourceType.RESOURCE_TYPE_GROUP, g, pattern)));
            if (cluster) {
                resources.add(resource(ResourceType.RESOURCE_TYPE_CLUSTER, "kafka-cluster", pattern));
            }
            return resources;
        }

        private static AclBinding resource(ResourceType type, String name, PatternType pattern) {
            return AclBinding.newBuilder()
                    .setResourceType(type)
                    .setResourceName(name)
                    .setPatternType(pattern)
                    .build();
        }
    }

    /** Who and what: kafka-acls.sh's --allow-principal, --deny-principal, --allow-host, --deny-host, --operation. */
    static final class Entries {
        @Option(
                names = "--allow-principal",
                paramLabel = "TYPE:NAME",
                description = "Allowed principal (repeatable), e.g. User:alice; User:* is everyone.")
        List<String> allowPrincipals = new ArrayList<>();

        @Option(names = "--deny-principal", paramLabel = "TYPE:NAME", description = "Denied principal (repeatable).")
        List<String> denyPrincipals = new ArrayList<>();

        @Option(
                names = "--allow-host",
                paramLabel = "HOST",
                description = "Host the allowed principals may connect from (repeatable; default *).")
        List<String> allowHosts = new ArrayList<>();

        @Option(
                names = "--deny-host",
                paramLabel = "HOST",
                description = "Host the denied principals are denied from (repeatable; default *).")
        List<String> denyHosts = new ArrayList<>();

        @Option(
                names = "--operation",
                paramLabel = "OP",
                description = "Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, "
                        + "AlterConfigs, IdempotentWrite or All (repeatable; default All).")
        List<String> operations = new ArrayList<>();

        /**
         * Every (principal, host, operation, permission) the options name, on each resource.
         *
         * @throws UsageException for an operation the resource's type does not have, as kafka-acls.sh refuses it
         */
        List<AclBinding> on(List<AclBinding> resources) {
            List<AclBinding> bindings = new ArrayList<>();
            for (AclBinding resource : resources) {
                AclOperations.checkSupported(resource.getResourceType(), operations());
                add(bindings, resource, allowPrincipals, allowHosts, AclPermissionType.ACL_PERMISSION_TYPE_ALLOW);
                add(bindings, resource, denyPrincipals, denyHosts, AclPermissionType.ACL_PERMISSION_TYPE_DENY);
            }
            return bindings;
        }

        private void add(
                List<AclBinding> bindings,
                AclBinding resource,
                List<String> principals,
                List<String> hosts,
                AclPermissionType permission) {
            for (String principal : principals) {
                for (String host : hosts.isEmpty() ? List.of("*") : hosts) {
                    for (AclOperation operation : operations()) {
                        bindings.add(resource.toBuilder()
                                .setPrincipal(principal)
                                .setHost(host)
                                .setOperation(operation)
                                .setPermissionType(permission)
                                .build());
                    }
                }
            }
        }

        List<AclOperation> operations() {
            if (operations.isEmpty()) {
                return List.of(AclOperation.ACL_OPERATION_ALL);
            }
            return operations.stream().map(AclOperations::parse).toList();
        }

        boolean hasPrincipals() {
            return !allowPrincipals.isEmpty() || !denyPrincipals.isEmpty();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add ACLs (kafka-acls.sh --add).")
    static final class Add extends ClientCommand {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Resources resources;

        @Mixin
        Entries entries;

        Add(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            List<AclBinding> named = resources.named();
            PatternType pattern = resources.patternType();
            if (pattern != PatternType.PATTERN_TYPE_LITERAL && pattern != PatternType.PATTERN_TYPE_PREFIXED) {
                throw new UsageException("--resource-pattern-type of an ACL to add is LITERAL or PREFIXED");
            }
            if (named.isEmpty() || !entries.hasPrincipals()) {
                throw new UsageException(
                        "add needs a resource (--topic, --group or --cluster) and --allow-principal or --deny-principal");
            }
            List<AclBinding> acls = entries.on(named);
            try (FerryAdmin admin = admin(settings())) {
                out().print(AclFormat.adding(acls));
                admin.createAcls(acls);
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove ACLs (kafka-acls.sh --remove --force: no question asked): those the principals, "
                    + "hosts and operations name on each resource, or every ACL of the resource when no principal "
                    + "is named. Prints nothing, as kafka-acls.sh.")
    static final class Remove extends ClientCommand {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Resources resources;

        @Mixin
        Entries entries;

        Remove(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            List<AclBinding> named = resources.named();
            if (named.isEmpty()) {
                throw new UsageException("remove needs a resource (--topic, --group or --cluster)");
            }
            List<AclBindingFilter> filters = new ArrayList<>();
            if (entries.hasPrincipals()) {
                entries.on(named).forEach(b -> filters.add(filter(b).build()));
            } else {
                named.forEach(resource -> filters.add(exactly(resource)));
            }
            try (FerryAdmin admin = admin(settings())) {
                admin.deleteAcls(filters);
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List ACLs (kafka-acls.sh --list): of the resources named, or every ACL.")
    static final class ListAcls extends ClientCommand {
        @ArgGroup(exclusive = false)
        Resources resources;

        @Option(names = "--principal", paramLabel = "TYPE:NAME", description = "Only the ACLs of this principal.")
        String principal;

        ListAcls(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            List<AclBindingFilter> filters = new ArrayList<>();
            List<AclBinding> named = resources == null ? List.of() : resources.named();
            if (named.isEmpty()) {
                filters.add(AclBindingFilter.newBuilder()
                        .setResourceType(ResourceType.RESOURCE_TYPE_ANY)
                        .setPatternType(PatternType.PATTERN_TYPE_ANY)
                        .setOperation(AclOperation.ACL_OPERATION_ANY)
                        .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ANY)
                        .build());
            } else {
                named.forEach(resource -> filters.add(exactly(resource)));
            }
            List<AclBinding> acls = new ArrayList<>();
            try (FerryAdmin admin = admin(settings())) {
                for (AclBindingFilter filter : filters) {
                    acls.addAll(admin.describeAcls(
                            principal == null
                                    ? filter
                                    : filter.toBuilder().setPrincipal(principal).build()));
                }
            }
            if (principal != null) {
                out().println("ACLs for principal `" + principal + "`");
            }
            out().print(AclFormat.current(acls));
            return ErrorReporter.OK;
        }
    }

    /** Every ACL of the resource (its type, name and pattern type). */
    private static AclBindingFilter exactly(AclBinding resource) {
        return AclBindingFilter.newBuilder()
                .setResourceType(resource.getResourceType())
                .setResourceName(resource.getResourceName())
                .setPatternType(resource.getPatternType())
                .setOperation(AclOperation.ACL_OPERATION_ANY)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ANY)
                .build();
    }

    /** The filter that selects exactly this binding. */
    private static AclBindingFilter.Builder filter(AclBinding b) {
        return AclBindingFilter.newBuilder()
                .setResourceType(b.getResourceType())
                .setResourceName(b.getResourceName())
                .setPatternType(b.getPatternType())
                .setPrincipal(b.getPrincipal())
                .setHost(b.getHost())
                .setOperation(b.getOperation())
                .setPermissionType(b.getPermissionType());
    }
}
