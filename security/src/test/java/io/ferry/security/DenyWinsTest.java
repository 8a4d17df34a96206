package io.ferry.security;

import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.allow;
import static io.ferry.security.Acls.decide;
import static io.ferry.security.Acls.deny;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.PatternType.PREFIXED;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DenyWinsTest {

    @Test
    void aDenyOnTheSameLiteralBeatsAnAllow() {
        assertEquals(
                DENIED,
                decide(
                        List.of(
                                allow("User:alice", READ, TOPIC, "t", LITERAL),
                                deny("User:alice", READ, TOPIC, "t", LITERAL)),
                        ALICE,
                        READ,
                        "t"));
    }

    @Test
    void aDenyOnAPrefixBeatsALiteralAllow() {
        List<AclBinding> acls = List.of(
                allow("User:alice", READ, TOPIC, "orders", LITERAL), deny("User:alice", READ, TOPIC, "ord", PREFIXED));
        assertEquals(DENIED, decide(acls, ALICE, READ, "orders"));
    }

    @Test
    void aDenyForEveryoneOnTheWildcardBeatsAnAllowForTheCaller() {
        List<AclBinding> acls =
                List.of(allow("User:alice", READ, TOPIC, "t", LITERAL), deny("User:*", READ, TOPIC, "*", LITERAL));
        assertEquals(DENIED, decide(acls, ALICE, READ, "t"));
    }

    @Test
    void aDenyOfAllBeatsAnAllowOfTheOperation() {
        List<AclBinding> acls = List.of(
                allow("User:alice", READ, TOPIC, "t", LITERAL),
                deny("User:alice", AclOperation.ALL, TOPIC, "t", LITERAL));
        assertEquals(DENIED, decide(acls, ALICE, READ, "t"));
    }

    @Test
    void aDenyOfAnotherOperationOrOnAnotherPrefixLeavesTheAllow() {
        List<AclBinding> acls = List.of(
                allow("User:alice", READ, TOPIC, "orders", LITERAL),
                deny("User:alice", AclOperation.WRITE, TOPIC, "orders", LITERAL),
                deny("User:alice", READ, TOPIC, "ordersx", PREFIXED));
        assertEquals(ALLOWED, decide(acls, ALICE, READ, "orders"));
    }
}
