package io.ferry.security;

import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.HOST;
import static io.ferry.security.Acls.allow;
import static io.ferry.security.Acls.binding;
import static io.ferry.security.Acls.decide;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.PatternType.PREFIXED;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceMatchingTest {

    @Test
    void aLiteralNameMatchesOnlyItself() {
        List<AclBinding> acls = List.of(allow("User:alice", READ, TOPIC, "orders", LITERAL));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "orders"));
        assertEquals(DENIED, decide(acls, ALICE, READ, "orders2"));
        assertEquals(DENIED, decide(acls, ALICE, READ, "order"));
    }

    @Test
    void theLiteralWildcardMatchesEveryNameOfItsType() {
        List<AclBinding> acls = List.of(allow("User:alice", READ, TOPIC, "*", LITERAL));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "anything"));
        assertEquals(
                DENIED,
                new Authorizer(AclIndex.of(acls), java.util.Set.of(), false)
                        .authorize(ALICE, HOST, READ, ResourceType.GROUP, "anything"));
    }

    @Test
    void aPrefixMatchesTheNamesStartingWithIt() {
        List<AclBinding> acls = List.of(allow("User:alice", READ, TOPIC, "ord", PREFIXED));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "ord"));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "orders"));
        assertEquals(DENIED, decide(acls, ALICE, READ, "or"));
        assertEquals(DENIED, decide(acls, ALICE, READ, "xord"));
    }

    @Test
    void aPrefixedStarIsAPrefixNotAWildcard() {
        List<AclBinding> acls = List.of(allow("User:alice", READ, TOPIC, "*", PREFIXED));
        assertEquals(DENIED, decide(acls, ALICE, READ, "orders"));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "*x"));
    }

    @Test
    void theWildcardPrincipalMatchesEveryoneAndAnotherPrincipalNoOne() {
        assertEquals(ALLOWED, decide(List.of(allow("User:*", READ, TOPIC, "t", LITERAL)), ALICE, READ, "t"));
        assertEquals(DENIED, decide(List.of(allow("User:alicex", READ, TOPIC, "t", LITERAL)), ALICE, READ, "t"));
    }

    @Test
    void aHostMatchesItselfAndTheWildcardHostEveryHost() {
        List<AclBinding> fromHost =
                List.of(binding("User:alice", HOST, READ, AclPermissionType.ALLOW, TOPIC, "t", LITERAL));
        List<AclBinding> fromOther =
                List.of(binding("User:alice", "10.0.0.2", READ, AclPermissionType.ALLOW, TOPIC, "t", LITERAL));
        assertEquals(ALLOWED, decide(fromHost, ALICE, READ, "t"));
        assertEquals(DENIED, decide(fromOther, ALICE, READ, "t"));
    }
}
