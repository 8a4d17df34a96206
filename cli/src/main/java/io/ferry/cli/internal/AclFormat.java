package io.ferry.cli.internal;

import io.ferry.proto.v1.AclBinding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** ACLs printed as {@code kafka-acls.sh} prints them, grouped by resource pattern. */
public final class AclFormat {

    private AclFormat() {}

    /** {@code kafka-acls.sh --list}: one block per resource, in the order the ACLs come. */
    public static String current(List<AclBinding> acls) {
        return blocks("Current ACLs for resource", acls);
    }

    /** What {@code kafka-acls.sh --add} prints before it adds. */
    public static String adding(List<AclBinding> acls) {
        return blocks("Adding ACLs for resource", acls);
    }

    private static String blocks(String title, List<AclBinding> acls) {
        Map<String, List<AclBinding>> byResource = acls.stream()
                .collect(Collectors.groupingBy(AclFormat::resource, LinkedHashMap::new, Collectors.toList()));
        StringBuilder text = new StringBuilder();
        // Kafka's layout, stray spaces included: scripts written for kafka-acls.sh read it.
        byResource.forEach((resource, entries) -> text.append(title)
                .append(" `")
                .append(resource)
                .append("`: \n ")
                .append(entries.stream().map(e -> "\t" + entry(e)).collect(Collectors.joining("\n")))
                .append(" \n\n"));
        return text.toString();
    }

    /** Kafka's {@code ResourcePattern.toString()}. */
    static String resource(AclBinding b) {
        return "ResourcePattern(resourceType=" + b.getResourceType().name().substring("RESOURCE_TYPE_".length())
                + ", name=" + b.getResourceName() + ", patternType="
                + b.getPatternType().name().substring("PATTERN_TYPE_".length()) + ")";
    }

    /** Kafka's {@code AccessControlEntry.toString()}. */
    static String entry(AclBinding b) {
        return "(principal=" + b.getPrincipal() + ", host=" + b.getHost() + ", operation="
                + b.getOperation().name().substring("ACL_OPERATION_".length()) + ", permissionType="
                + b.getPermissionType().name().substring("ACL_PERMISSION_TYPE_".length()) + ")";
    }
}
