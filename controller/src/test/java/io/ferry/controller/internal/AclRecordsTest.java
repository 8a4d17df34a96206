package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AccessControlEntryRecord;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.RemoveAccessControlEntryRecord;
import io.ferry.proto.v1.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ACL records applied by the state machine, carried by its snapshot and by the changes brokers fetch. */
class AclRecordsTest {

    static AclBinding readTopic(String principal, String topic) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(topic)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal(principal)
                .setHost("*")
                .setOperation(AclOperation.ACL_OPERATION_READ)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    private static MetadataRecord create(String id, AclBinding binding) {
        return MetadataRecord.newBuilder()
                .setAccessControlEntry(
                        AccessControlEntryRecord.newBuilder().setId(id).setBinding(binding))
                .build();
    }

    private static MetadataRecord remove(String id) {
        return MetadataRecord.newBuilder()
                .setRemoveAccessControlEntry(
                        RemoveAccessControlEntryRecord.newBuilder().setId(id))
                .build();
    }

    private static CommandResult apply(MetadataState s, MetadataRecord... records) {
        return s.apply(
                ControllerCommand.newBuilder()
                        .setLeaderTerm(1)
                        .addAllRecords(List.of(records))
                        .build(),
                1);
    }

    @Test
    void createAndRemoveChangeTheAclsAndRaiseTheVersion() {
        MetadataState s = new MetadataState(100);
        assertEquals(
                ErrorCode.NONE,
                apply(s, create("a", readTopic("User:alice", "t")), create("b", readTopic("User:bob", "t")))
                        .getError()
                        .getCode());
        assertEquals(
                List.of("a", "b"),
                s.acls().stream().map(AccessControlEntryRecord::getId).toList());
        assertEquals(ErrorCode.NONE, apply(s, remove("a")).getError().getCode());
        assertEquals(
                List.of("b"),
                s.acls().stream().map(AccessControlEntryRecord::getId).toList());
        assertEquals(3, s.version());
    }

    @Test
    void aMalformedOrDuplicateAclOrAnUnknownRemovalIsRefusedWholly() {
        MetadataState s = new MetadataState(100);
        apply(s, create("a", readTopic("User:alice", "t")));
        CommandResult noType = apply(s, create("c", readTopic("User:x", "t")), create("b", readTopic("alice", "t")));
        assertEquals(ErrorCode.INVALID_REQUEST, noType.getError().getCode());
        assertTrue(
                noType.getError().getMessage().contains("principal"),
                noType.getError().getMessage());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                apply(s, create("a", readTopic("User:bob", "t"))).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST, apply(s, remove("zz")).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                apply(
                                s,
                                create(
                                        "d",
                                        readTopic("User:bob", "t").toBuilder()
                                                .clearOperation()
                                                .build()))
                        .getError()
                        .getCode());
        assertEquals(1, s.acls().size());
        assertEquals(1, s.version());
    }

    @Test
    void aSnapshotRestoresTheAcls() throws Exception {
        MetadataState s = new MetadataState(100);
        apply(s, create("a", readTopic("User:alice", "t")), create("b", readTopic("User:bob", "u")));
        MetadataState restored = new MetadataState(100);
        restored.load(ControllerStateMachine.readSnapshot(s.snapshot().toByteArray()));
        assertEquals(s.acls(), restored.acls());
        assertEquals(s.image(), restored.image());
        assertEquals(2, restored.image().getAclsCount());
    }

    @Test
    void brokersGetTheAclRecordsOrTheWholeImageWithTheAcls() {
        MetadataState s = new MetadataState(1);
        apply(s, create("a", readTopic("User:alice", "t")));
        assertEquals(
                "a",
                s.changesSince(0)
                        .getRecords(0)
                        .getRecord()
                        .getAccessControlEntry()
                        .getId());
        apply(s, remove("a"), create("b", readTopic("User:bob", "t")));
        assertEquals("b", s.changesSince(0).getImage().getAcls(0).getId());
    }
}
