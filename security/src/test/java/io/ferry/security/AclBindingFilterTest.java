package io.ferry.security;

import static io.ferry.security.Acls.allow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AclBindingFilterTest {

    private static final AclBinding LITERAL_T =
            allow("User:alice", AclOperation.READ, ResourceType.TOPIC, "orders", PatternType.LITERAL);
    private static final AclBinding WILDCARD =
            allow("User:alice", AclOperation.READ, ResourceType.TOPIC, "*", PatternType.LITERAL);
    private static final AclBinding PREFIX =
            allow("User:alice", AclOperation.READ, ResourceType.TOPIC, "ord", PatternType.PREFIXED);

    private static AclBindingFilter resource(String name, PatternType pattern) {
        return new AclBindingFilter(
                ResourceType.TOPIC, name, pattern, null, null, AclOperation.ANY, AclPermissionType.ANY);
    }

    @Test
    void anyMatchesEverything() {
        assertTrue(AclBindingFilter.ANY.matches(LITERAL_T));
        assertTrue(AclBindingFilter.ANY.matches(PREFIX));
    }

    @Test
    void matchSelectsEveryBindingThatAppliesToTheName() {
        AclBindingFilter match = resource("orders", PatternType.MATCH);
        assertTrue(match.matches(LITERAL_T));
        assertTrue(match.matches(WILDCARD));
        assertTrue(match.matches(PREFIX));
        assertFalse(resource("or", PatternType.MATCH).matches(PREFIX));
    }

    @Test
    void aConcretePatternTypeOrAnySelectsTheExactName() {
        assertTrue(resource("ord", PatternType.PREFIXED).matches(PREFIX));
        assertFalse(resource("ord", PatternType.LITERAL).matches(PREFIX));
        assertTrue(resource("ord", PatternType.ANY).matches(PREFIX));
        assertFalse(resource("orders", PatternType.ANY).matches(PREFIX));
    }

    @Test
    void entryFieldsFilterWhenSet() {
        assertTrue(new AclBindingFilter(
                        ResourceType.ANY,
                        null,
                        PatternType.ANY,
                        "User:alice",
                        "*",
                        AclOperation.READ,
                        AclPermissionType.ALLOW)
                .matches(LITERAL_T));
        assertFalse(new AclBindingFilter(
                        ResourceType.ANY,
                        null,
                        PatternType.ANY,
                        "User:bob",
                        null,
                        AclOperation.ANY,
                        AclPermissionType.ANY)
                .matches(LITERAL_T));
        assertFalse(new AclBindingFilter(
                        ResourceType.GROUP, null, PatternType.ANY, null, null, AclOperation.ANY, AclPermissionType.ANY)
                .matches(LITERAL_T));
        assertFalse(new AclBindingFilter(
                        ResourceType.ANY, null, PatternType.ANY, null, null, AclOperation.ANY, AclPermissionType.DENY)
                .matches(LITERAL_T));
    }
}
