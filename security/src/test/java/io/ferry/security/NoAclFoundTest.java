package io.ferry.security;

import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.AclOperation.WRITE;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.BOB;
import static io.ferry.security.Acls.HOST;
import static io.ferry.security.Acls.allow;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.PatternType.PREFIXED;
import static io.ferry.security.ResourceType.GROUP;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NoAclFoundTest {

    private static AuthorizationResult decide(
            List<AclBinding> acls, boolean allowEveryone, Principal who, String topic) {
        return new Authorizer(AclIndex.of(acls), Set.of(), allowEveryone).authorize(who, HOST, READ, TOPIC, topic);
    }

    @Test
    void withNoAclOnTheResourceTheSettingDecides() {
        List<AclBinding> elsewhere = List.of(
                allow("User:alice", READ, TOPIC, "other", LITERAL),
                allow("User:alice", READ, GROUP, "t", LITERAL),
                allow("User:alice", READ, TOPIC, "tx", PREFIXED));
        assertEquals(DENIED, decide(elsewhere, false, ALICE, "t"));
        assertEquals(ALLOWED, decide(elsewhere, true, ALICE, "t"));
        assertEquals(DENIED, decide(List.of(), false, ALICE, "t"));
    }

    @Test
    void anAclOnTheResourceForAnotherPrincipalOrOperationMeansAclsWereFound() {
        assertEquals(DENIED, decide(List.of(allow("User:alice", READ, TOPIC, "t", LITERAL)), true, BOB, "t"));
        assertEquals(DENIED, decide(List.of(allow("User:alice", WRITE, TOPIC, "t", LITERAL)), true, ALICE, "t"));
        assertEquals(DENIED, decide(List.of(allow("User:bob", READ, TOPIC, "*", LITERAL)), true, ALICE, "t"));
        assertEquals(DENIED, decide(List.of(allow("User:bob", READ, TOPIC, "t", PREFIXED)), true, ALICE, "t"));
    }
}
