package io.ferry.security;

import static io.ferry.security.AclOperation.ALL;
import static io.ferry.security.AclOperation.IDEMPOTENT_WRITE;
import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.AclOperation.WRITE;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.HOST;
import static io.ferry.security.Acls.allow;
import static io.ferry.security.Acls.binding;
import static io.ferry.security.Acls.deny;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.PatternType.PREFIXED;
import static io.ferry.security.ResourceType.CLUSTER;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kafka's {@code authorizeByResourceType}, as InitProducerId asks it: may the caller WRITE some topic, one that
 * exists or not? An ALLOW counts unless a DENY covers every name it allows.
 */
class AuthorizeAnyOfTypeTest {

    private static AuthorizationResult writeSomeTopic(List<AclBinding> acls) {
        return new Authorizer(AclIndex.of(acls), Set.of(), false).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC);
    }

    @Test
    void aLiteralOrPrefixedAllowOnATopicThatNeedNotExistAllows() {
        assertEquals(ALLOWED, writeSomeTopic(List.of(allow("User:alice", WRITE, TOPIC, "not-yet", LITERAL))));
        assertEquals(ALLOWED, writeSomeTopic(List.of(allow("User:alice", WRITE, TOPIC, "orders-", PREFIXED))));
        assertEquals(ALLOWED, writeSomeTopic(List.of(allow("User:*", ALL, TOPIC, "*", LITERAL))));
    }

    @Test
    void anAllowCoveredByADenyDoesNot() {
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "orders", LITERAL),
                        deny("User:alice", WRITE, TOPIC, "orders", LITERAL))));
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "orders-eu", LITERAL),
                        deny("User:alice", WRITE, TOPIC, "orders-", PREFIXED))));
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "orders-eu-", PREFIXED),
                        deny("User:alice", WRITE, TOPIC, "orders-", PREFIXED))));
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "*", LITERAL), deny("User:*", ALL, TOPIC, "*", LITERAL))));
    }

    @Test
    void aDenyThatCoversOnlySomeOfWhatAnAllowAllowsLeavesTheRest() {
        // A literal DENY cannot cover every name of a prefix, nor a longer prefix a shorter one.
        assertEquals(
                ALLOWED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "orders-", PREFIXED),
                        deny("User:alice", WRITE, TOPIC, "orders-", LITERAL),
                        deny("User:alice", WRITE, TOPIC, "orders-eu-", PREFIXED))));
        assertEquals(
                ALLOWED,
                writeSomeTopic(List.of(
                        allow("User:alice", WRITE, TOPIC, "orders", LITERAL),
                        allow("User:alice", WRITE, TOPIC, "payments", LITERAL),
                        deny("User:alice", WRITE, TOPIC, "orders", LITERAL))));
    }

    @Test
    void onlyAclsThatApplyToTheCallerCount() {
        assertEquals(DENIED, writeSomeTopic(List.of(allow("User:bob", WRITE, TOPIC, "orders", LITERAL))));
        assertEquals(DENIED, writeSomeTopic(List.of(allow("User:alice", READ, TOPIC, "orders", LITERAL))));
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(
                        binding("User:alice", "10.9.9.9", WRITE, AclPermissionType.ALLOW, TOPIC, "orders", LITERAL))));
        assertEquals(
                DENIED,
                writeSomeTopic(List.of(allow("User:alice", IDEMPOTENT_WRITE, CLUSTER, "kafka-cluster", LITERAL))));
    }

    @Test
    void noAclOfTheTypeIsLeftToThePolicyAndASuperUserMayAlways() {
        List<AclBinding> none = List.of(allow("User:alice", WRITE, ResourceType.GROUP, "g", LITERAL));
        assertEquals(
                DENIED,
                new Authorizer(AclIndex.of(none), Set.of(), false).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
        assertEquals(
                ALLOWED,
                new Authorizer(AclIndex.of(none), Set.of(), true).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
        List<AclBinding> denied = List.of(deny("User:alice", WRITE, TOPIC, "*", LITERAL));
        assertEquals(
                ALLOWED,
                new Authorizer(AclIndex.of(denied), Set.of(ALICE), false)
                        .authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    }
}
