package io.ferry.security;

import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.BOB;
import static io.ferry.security.Acls.HOST;
import static io.ferry.security.Acls.deny;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuperUsersTest {

    @Test
    void aSuperUserIsAllowedEvenAgainstADeny() {
        Authorizer authorizer = new Authorizer(
                AclIndex.of(List.of(deny("User:*", AclOperation.ALL, TOPIC, "*", LITERAL))), Set.of(ALICE), false);
        assertEquals(ALLOWED, authorizer.authorize(ALICE, HOST, READ, TOPIC, "t"));
        assertEquals(
                ALLOWED,
                authorizer.authorize(
                        ALICE, HOST, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, ResourcePattern.CLUSTER_NAME));
        assertEquals(DENIED, authorizer.authorize(BOB, HOST, READ, TOPIC, "t"));
    }

    @Test
    void aSuperUserOfAnotherTypeIsAnotherPrincipal() {
        Authorizer authorizer = new Authorizer(AclIndex.empty(), Set.of(new Principal("Group", "alice")), false);
        assertEquals(DENIED, authorizer.authorize(ALICE, HOST, READ, TOPIC, "t"));
    }
}
