package io.ferry.security;

import static io.ferry.security.AclOperation.ALTER;
import static io.ferry.security.AclOperation.ALTER_CONFIGS;
import static io.ferry.security.AclOperation.DELETE;
import static io.ferry.security.AclOperation.DESCRIBE;
import static io.ferry.security.AclOperation.DESCRIBE_CONFIGS;
import static io.ferry.security.AclOperation.READ;
import static io.ferry.security.AclOperation.WRITE;
import static io.ferry.security.Acls.ALICE;
import static io.ferry.security.Acls.allow;
import static io.ferry.security.Acls.decide;
import static io.ferry.security.Acls.deny;
import static io.ferry.security.AuthorizationResult.ALLOWED;
import static io.ferry.security.AuthorizationResult.DENIED;
import static io.ferry.security.PatternType.LITERAL;
import static io.ferry.security.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImpliedOperationsTest {

    @ParameterizedTest
    @EnumSource(value = AclOperation.class, mode = EnumSource.Mode.EXCLUDE, names = "ANY")
    void describeIsAllowedByReadWriteDeleteAlterAndItselfOnly(AclOperation granted) {
        boolean implies =
                List.of(READ, WRITE, DELETE, ALTER, DESCRIBE, AclOperation.ALL).contains(granted);
        assertEquals(
                implies ? ALLOWED : DENIED,
                decide(List.of(allow("User:alice", granted, TOPIC, "t", LITERAL)), ALICE, DESCRIBE, "t"));
    }

    @ParameterizedTest
    @EnumSource(value = AclOperation.class, mode = EnumSource.Mode.EXCLUDE, names = "ANY")
    void describeConfigsIsAllowedByAlterConfigsAndItselfOnly(AclOperation granted) {
        boolean implies =
                List.of(ALTER_CONFIGS, DESCRIBE_CONFIGS, AclOperation.ALL).contains(granted);
        assertEquals(
                implies ? ALLOWED : DENIED,
                decide(List.of(allow("User:alice", granted, TOPIC, "t", LITERAL)), ALICE, DESCRIBE_CONFIGS, "t"));
    }

    @Test
    void aDenyImpliesNothing() {
        List<AclBinding> acls = List.of(
                allow("User:alice", DESCRIBE, TOPIC, "t", LITERAL), deny("User:alice", READ, TOPIC, "t", LITERAL));
        assertEquals(ALLOWED, decide(acls, ALICE, DESCRIBE, "t"));
        assertEquals(DENIED, decide(acls, ALICE, READ, "t"));
    }
}
