package io.ferry.security;

import static io.ferry.security.Acls.binding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AclBindingValidatorTest {

    private static String problem(AclBinding binding) {
        return AclBindingValidator.problem(binding).orElse("none");
    }

    private static final AclOperation READ = AclOperation.READ;
    private static final AclPermissionType ALLOW = AclPermissionType.ALLOW;

    @Test
    void acceptsAConcreteBinding() {
        assertEquals(
                "none", problem(binding("User:alice", "*", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.LITERAL)));
        assertEquals(
                "none",
                problem(binding(
                        "User:*",
                        "10.0.0.1",
                        AclOperation.CLUSTER_ACTION,
                        AclPermissionType.DENY,
                        ResourceType.CLUSTER,
                        "kafka-cluster",
                        PatternType.LITERAL)));
    }

    @Test
    void refusesFilterValuesNamingTheField() {
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.ANY, "t", PatternType.LITERAL))
                .startsWith("resource_type"));
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.MATCH))
                .startsWith("pattern_type"));
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.ANY))
                .startsWith("pattern_type"));
        assertTrue(
                problem(binding("User:a", "*", AclOperation.ANY, ALLOW, ResourceType.TOPIC, "t", PatternType.LITERAL))
                        .startsWith("operation"));
        assertTrue(problem(binding(
                        "User:a", "*", READ, AclPermissionType.ANY, ResourceType.TOPIC, "t", PatternType.LITERAL))
                .startsWith("permission_type"));
    }

    @Test
    void refusesMalformedNamesNamingTheField() {
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.TOPIC, "", PatternType.LITERAL))
                .startsWith("resource_name must not be empty"));
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.CLUSTER, "c", PatternType.LITERAL))
                .contains("kafka-cluster"));
        assertTrue(problem(binding("alice", "*", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.LITERAL))
                .startsWith("principal"));
        assertTrue(problem(binding(":alice", "*", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.LITERAL))
                .startsWith("principal"));
        assertTrue(problem(binding("User:a", "", READ, ALLOW, ResourceType.TOPIC, "t", PatternType.LITERAL))
                .startsWith("host"));
        String longName = "x".repeat(AclBindingValidator.MAX_FIELD_LENGTH + 1);
        assertTrue(problem(binding("User:a", "*", READ, ALLOW, ResourceType.TOPIC, longName, PatternType.LITERAL))
                .startsWith("resource_name is"));
    }
}
