package io.ferry.cli.internal;

import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.ResourceType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** ACL operations by Kafka's names ({@code ClusterAction}), and which ones each resource type has. */
final class AclOperations {

    private static final String PREFIX = "ACL_OPERATION_";

    /** Kafka's {@code AclEntry.supportedOperations}, without ALL, which every type has. */
    private static final Map<ResourceType, Set<AclOperation>> SUPPORTED = Map.of(
            ResourceType.RESOURCE_TYPE_TOPIC,
            EnumSet.of(
                    AclOperation.ACL_OPERATION_READ,
                    AclOperation.ACL_OPERATION_WRITE,
                    AclOperation.ACL_OPERATION_CREATE,
                    AclOperation.ACL_OPERATION_DELETE,
                    AclOperation.ACL_OPERATION_ALTER,
                    AclOperation.ACL_OPERATION_DESCRIBE,
                    AclOperation.ACL_OPERATION_DESCRIBE_CONFIGS,
                    AclOperation.ACL_OPERATION_ALTER_CONFIGS),
            ResourceType.RESOURCE_TYPE_GROUP,
            EnumSet.of(
                    AclOperation.ACL_OPERATION_READ,
                    AclOperation.ACL_OPERATION_DELETE,
                    AclOperation.ACL_OPERATION_DESCRIBE,
                    AclOperation.ACL_OPERATION_DESCRIBE_CONFIGS,
                    AclOperation.ACL_OPERATION_ALTER_CONFIGS),
            ResourceType.RESOURCE_TYPE_CLUSTER,
            EnumSet.of(
                    AclOperation.ACL_OPERATION_CREATE,
                    AclOperation.ACL_OPERATION_ALTER,
                    AclOperation.ACL_OPERATION_DESCRIBE,
                    AclOperation.ACL_OPERATION_CLUSTER_ACTION,
                    AclOperation.ACL_OPERATION_DESCRIBE_CONFIGS,
                    AclOperation.ACL_OPERATION_ALTER_CONFIGS,
                    AclOperation.ACL_OPERATION_IDEMPOTENT_WRITE));

    private AclOperations() {}

    /** The operation Kafka names {@code name} ({@code Read}, {@code ClusterAction}), case and underscores aside. */
    static AclOperation parse(String name) {
        String wanted = name.replace("_", "").toUpperCase(Locale.ROOT);
        for (AclOperation op : concrete()) {
            if (op.name().substring(PREFIX.length()).replace("_", "").equals(wanted)) {
                return op;
            }
        }
        throw new UsageException("--operation " + name + " is not one of "
                + concrete().stream().map(AclOperations::kafkaName).collect(Collectors.joining(", ")));
    }

    /**
     * @throws UsageException naming the operations the type has, as kafka-acls.sh words it, when one of
     *     {@code operations} is not among them
     */
    static void checkSupported(ResourceType type, List<AclOperation> operations) {
        Set<AclOperation> supported = EnumSet.copyOf(SUPPORTED.get(type));
        supported.add(AclOperation.ACL_OPERATION_ALL);
        if (!supported.containsAll(operations)) {
            throw new UsageException("ResourceType " + type.name().substring("RESOURCE_TYPE_".length())
                    + " only supports operations "
                    + supported.stream().map(AclOperations::kafkaName).collect(Collectors.joining(", ")));
        }
    }

    /** Kafka's name of the operation: {@code CLUSTER_ACTION} is {@code ClusterAction}. */
    static String kafkaName(AclOperation op) {
        return Arrays.stream(op.name().substring(PREFIX.length()).split("_"))
                .map(word -> word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining());
    }

    /** The operations an ACL may name: every value but UNSPECIFIED, ANY and the unrecognized one. */
    private static List<AclOperation> concrete() {
        return Arrays.stream(AclOperation.values())
                .filter(op -> op != AclOperation.UNRECOGNIZED
                        && op != AclOperation.ACL_OPERATION_UNSPECIFIED
                        && op != AclOperation.ACL_OPERATION_ANY)
                .toList();
    }
}
