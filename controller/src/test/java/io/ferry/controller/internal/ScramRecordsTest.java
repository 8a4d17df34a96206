package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.controller.ScramProtos;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.RemoveUserScramCredentialRecord;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCRAM credential records applied by the state machine, carried by its snapshot and by the changes brokers fetch. */
class ScramRecordsTest {

    static UserScramCredentialRecord credential(String user, String password) {
        ScramFunctions functions = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
        return ScramProtos.record(
                user, functions.credential(password, ScramFunctions.newSalt(), ScramMechanism.MIN_ITERATIONS));
    }

    private static MetadataRecord upsert(UserScramCredentialRecord r) {
        return MetadataRecord.newBuilder().setUserScramCredential(r).build();
    }

    private static MetadataRecord remove(String user) {
        return MetadataRecord.newBuilder()
                .setRemoveUserScramCredential(RemoveUserScramCredentialRecord.newBuilder()
                        .setName(user)
                        .setMechanism("SCRAM-SHA-512"))
                .build();
    }

    private static CommandResult apply(MetadataState s, MetadataRecord... records) {
        return TermOneCommands.apply(s, List.of(records));
    }

    @Test
    void oneCredentialPerUserAndMechanismEachRecordRaisingTheVersion() {
        MetadataState s = new MetadataState(100);
        UserScramCredentialRecord replaced = credential("alice", "one");
        UserScramCredentialRecord alice = credential("alice", "two");
        UserScramCredentialRecord bob = credential("bob", "three");
        assertEquals(
                ErrorCode.NONE,
                apply(s, upsert(bob), upsert(replaced), upsert(alice))
                        .getError()
                        .getCode());
        assertEquals(List.of(alice, bob), s.scramCredentials());
        assertEquals(ErrorCode.NONE, apply(s, remove("alice")).getError().getCode());
        assertEquals(List.of(bob), s.scramCredentials());
        assertEquals(4, s.version());
    }

    @Test
    void aMalformedCredentialOrAnUnknownRemovalIsRefusedWholly() {
        MetadataState s = new MetadataState(100);
        UserScramCredentialRecord good = credential("alice", "p");
        List<UserScramCredentialRecord> malformed = List.of(
                good.toBuilder().setName("").build(),
                good.toBuilder().setMechanism("SCRAM-SHA-256").build(),
                good.toBuilder()
                        .setIterations(ScramMechanism.MIN_ITERATIONS - 1)
                        .build(),
                good.toBuilder().setSalt(ByteString.copyFrom(new byte[3])).build(),
                good.toBuilder().clearStoredKey().build(),
                good.toBuilder().setServerKey(good.getServerKey().substring(1)).build());
        for (UserScramCredentialRecord r : malformed) {
            CommandResult result = apply(s, upsert(credential("bob", "p")), upsert(r));
            assertEquals(ErrorCode.INVALID_REQUEST, result.getError().getCode(), r.toString());
        }
        assertEquals(
                ErrorCode.RESOURCE_NOT_FOUND,
                apply(s, remove("nobody")).getError().getCode());
        assertTrue(s.scramCredentials().isEmpty());
        assertEquals(0, s.version());
    }

    @Test
    void aSnapshotRestoresTheCredentials() throws Exception {
        MetadataState s = new MetadataState(100);
        apply(s, upsert(credential("alice", "a")), upsert(credential("bob", "b")));
        MetadataState restored = new MetadataState(100);
        restored.load(ControllerStateMachine.readSnapshot(s.snapshot().toByteArray()));
        assertEquals(s.scramCredentials(), restored.scramCredentials());
        assertEquals(s.image(), restored.image());
        assertEquals(2, restored.image().getScramCredentialsCount());
    }

    @Test
    void brokersGetTheCredentialRecordsOrTheWholeImageWithTheCredentials() {
        MetadataState s = new MetadataState(1);
        UserScramCredentialRecord alice = credential("alice", "a");
        apply(s, upsert(alice));
        assertEquals(alice, s.changesSince(0).getRecords(0).getRecord().getUserScramCredential());
        UserScramCredentialRecord bob = credential("bob", "b");
        apply(s, remove("alice"), upsert(bob));
        assertEquals(List.of(bob), s.changesSince(0).getImage().getScramCredentialsList());
    }
}
