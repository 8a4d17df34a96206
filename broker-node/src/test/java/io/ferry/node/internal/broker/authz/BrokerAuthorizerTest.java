package io.ferry.node.internal.broker.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PatternType;
import io.ferry.security.AclOperation;
import io.ferry.security.Principal;
import io.ferry.security.ResourceType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BrokerAuthorizerTest {

    private static final Caller ALICE = new Caller(Principal.user("alice"), "10.0.0.7");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final AtomicReference<BrokerMetadata> view = new AtomicReference<>(BrokerMetadata.EMPTY);

    private BrokerAuthorizer authorizer(Set<Principal> superUsers, boolean allowEveryoneIfNoAclFound) {
        return BrokerAuthorizer.overAcls(
                view::get,
                superUsers,
                allowEveryoneIfNoAclFound,
                new AuthorizationDenials(registry, new RefusalLog(100, now::get), lines::add));
    }

    private static BrokerMetadata withAcls(long version, AclBinding... acls) {
        Map<String, AclBinding> byId = new HashMap<>();
        for (int i = 0; i < acls.length; i++) {
            byId.put("acl-" + i, acls[i]);
        }
        return new BrokerMetadata(version, Map.of(), Map.of(), Map.of(), byId);
    }

    private static AclBinding aliceReads(String topic) {
        return AclBinding.newBuilder()
                .setResourceType(io.ferry.proto.v1.ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(topic)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal("User:alice")
                .setHost("*")
                .setOperation(io.ferry.proto.v1.AclOperation.ACL_OPERATION_READ)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    @Test
    void offAllowsEverything() {
        BrokerAuthorizer off = BrokerAuthorizer.allowingEverything();
        assertNull(off.cluster(ALICE, AclOperation.CLUSTER_ACTION));
        assertTrue(off.allows(ALICE, AclOperation.DELETE, ResourceType.TOPIC, "orders"));
    }

    @Test
    void theAclsOfANewMetadataVersionDecide() {
        BrokerAuthorizer authorizer = authorizer(Set.of(), false);
        assertEquals(
                ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                authorizer.topic(ALICE, AclOperation.READ, "orders").getCode());

        view.set(withAcls(7, aliceReads("orders")));
        assertNull(authorizer.topic(ALICE, AclOperation.READ, "orders"));

        view.set(withAcls(8));
        assertFalse(authorizer.allows(ALICE, AclOperation.READ, ResourceType.TOPIC, "orders"), "the ACL was removed");
    }

    @Test
    void allowEveryoneIfNoAclFoundAllowsOnlyResourcesNoAclNames() {
        view.set(withAcls(3, aliceReads("orders")));
        BrokerAuthorizer authorizer = authorizer(Set.of(), true);
        Caller bob = new Caller(Principal.user("bob"), "10.0.0.8");
        assertNull(authorizer.topic(bob, AclOperation.WRITE, "payments"));
        assertEquals(
                ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                authorizer.topic(bob, AclOperation.READ, "orders").getCode());
    }

    @Test
    void aSuperUserNeedsNoAcl() {
        BrokerAuthorizer authorizer = authorizer(Set.of(Principal.user("CN=broker-2,O=Ferry")), false);
        Caller broker = new Caller(Principal.user("CN=broker-2,O=Ferry"), "10.0.0.2");
        assertNull(authorizer.cluster(broker, AclOperation.CLUSTER_ACTION));
        assertEquals(
                ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
                authorizer.cluster(ALICE, AclOperation.CLUSTER_ACTION).getCode());
    }

    @Test
    void everyDenialIsCountedAndAFloodLogsOneLinePerInterval() {
        BrokerAuthorizer authorizer = authorizer(Set.of(), false);
        for (int i = 0; i < 3; i++) {
            authorizer.group(ALICE, AclOperation.READ, "payments-app");
        }
        now.addAndGet(100);
        String message =
                authorizer.group(ALICE, AclOperation.READ, "payments-app").getMessage();

        assertEquals(
                4.0,
                registry.get("ferry.authorization.denied")
                        .tags("operation", "READ", "resource_type", "GROUP")
                        .counter()
                        .count());
        assertEquals(
                List.of(
                        "Denied READ on GROUP 'payments-app' to User:alice from 10.0.0.7 (0 more denials since the last"
                                + " such line)",
                        "Denied READ on GROUP 'payments-app' to User:alice from 10.0.0.7 (2 more denials since the last"
                                + " such line)"),
                lines);
        assertEquals("not authorized to READ group 'payments-app'", message);
    }

    @Test
    void aMadeUpLongNameIsCutInTheLog() {
        String name = "t".repeat(100_000);
        authorizer(Set.of(), false).topic(ALICE, AclOperation.WRITE, name);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0)
                .contains("t".repeat(AuthorizationDenials.LOGGED_NAME_MAX_CHARS) + "... (100000 characters)"));
        assertTrue(lines.get(0).length() < 500, lines.get(0));
    }
}
