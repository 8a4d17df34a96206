package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.controller.ScramProtos;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsResult;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ScramCredentialDeletion;
import io.ferry.proto.v1.ScramCredentialUpsertion;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** AlterUserScramCredentials as the active controller decides it. */
class ScramControlTest {
    private static final String SHA_512 = "SCRAM-SHA-512";
    private static final ScramFunctions FUNCTIONS = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
    private static final byte[] SALT = "a salt of 16+ bytes".getBytes(StandardCharsets.US_ASCII);

    private final MetadataState state = new MetadataState(100);
    private final ScramControl scram = new ScramControl(state);

    static ScramCredentialUpsertion.Builder upsertion(String user, String password) {
        return ScramCredentialUpsertion.newBuilder()
                .setName(user)
                .setMechanism(SHA_512)
                .setIterations(ScramMechanism.MIN_ITERATIONS)
                .setSalt(ByteString.copyFrom(SALT))
                .setSaltedPassword(
                        ByteString.copyFrom(FUNCTIONS.saltedPassword(password, SALT, ScramMechanism.MIN_ITERATIONS)));
    }

    private static ScramCredentialDeletion deletion(String user) {
        return ScramCredentialDeletion.newBuilder()
                .setName(user)
                .setMechanism(SHA_512)
                .build();
    }

    private AlterUserScramCredentialsResponse alter(AlterUserScramCredentialsRequest.Builder request) {
        ControllerResult<AlterUserScramCredentialsResponse> result = scram.alterCredentials(request.build());
        assertEquals(
                ErrorCode.NONE,
                TermOneCommands.apply(state, result.records()).getError().getCode());
        return result.response();
    }

    private static ErrorCode code(AlterUserScramCredentialsResponse response, String user) {
        return result(response, user).getError().getCode();
    }

    private static AlterUserScramCredentialsResult result(AlterUserScramCredentialsResponse response, String user) {
        return response.getResultsList().stream()
                .filter(r -> r.getUser().equals(user))
                .findFirst()
                .orElseThrow();
    }

    private ErrorCode upsertCode(ScramCredentialUpsertion.Builder upsertion) {
        return code(alter(AlterUserScramCredentialsRequest.newBuilder().addUpsertions(upsertion)), upsertion.getName());
    }

    @Test
    void anUpsertionStoresTheKeysDerivedFromTheSaltedPasswordAndNeverTheSaltedPassword() {
        ScramCredentialUpsertion.Builder alice = upsertion("alice", "alice-secret");
        AlterUserScramCredentialsResponse response =
                alter(AlterUserScramCredentialsRequest.newBuilder().addUpsertions(alice));

        assertEquals(ErrorCode.NONE, response.getError().getCode());
        assertEquals(ErrorCode.NONE, code(response, "alice"));
        UserScramCredentialRecord stored =
                state.scramCredential("alice", SHA_512).orElseThrow();
        ScramCredential expected = FUNCTIONS.credential("alice-secret", SALT, ScramMechanism.MIN_ITERATIONS);
        assertEquals(expected, ScramProtos.credential(stored));
        byte[] image = state.snapshot().toByteArray();
        assertFalse(contains(image, alice.getSaltedPassword().toByteArray()), "the salted password is stored");
        assertFalse(contains(image, "alice-secret".getBytes(StandardCharsets.UTF_8)), "the password is stored");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        return IntStream.rangeClosed(0, haystack.length - needle.length)
                .anyMatch(i -> Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length));
    }

    @Test
    void anUpsertionReplacesTheUsersCredentialAndADeletionRemovesIt() {
        alter(AlterUserScramCredentialsRequest.newBuilder().addUpsertions(upsertion("alice", "one")));
        alter(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(upsertion("alice", "two").setIterations(8192)));
        assertEquals(1, state.scramCredentials().size());
        assertEquals(8192, state.scramCredential("alice", SHA_512).orElseThrow().getIterations());

        AlterUserScramCredentialsResponse deleted =
                alter(AlterUserScramCredentialsRequest.newBuilder().addDeletions(deletion("alice")));
        assertEquals(ErrorCode.NONE, code(deleted, "alice"));
        assertTrue(state.scramCredentials().isEmpty());
    }

    @Test
    void anUnknownMechanismIsUnsupported() {
        assertEquals(
                ErrorCode.UNSUPPORTED_SASL_MECHANISM,
                upsertCode(upsertion("alice", "p").setMechanism("SCRAM-SHA-256")));
        assertEquals(
                ErrorCode.UNSUPPORTED_SASL_MECHANISM,
                upsertCode(upsertion("bob", "p").clearMechanism()));
        assertEquals(
                ErrorCode.UNSUPPORTED_SASL_MECHANISM,
                code(
                        alter(AlterUserScramCredentialsRequest.newBuilder()
                                .addDeletions(deletion("carol").toBuilder().setMechanism("PLAIN"))),
                        "carol"));
        assertTrue(state.scramCredentials().isEmpty());
    }

    @Test
    void iterationsOutOfBoundsAreUnacceptable() {
        AlterUserScramCredentialsResponse response = alter(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(upsertion("few", "p").setIterations(ScramMechanism.MIN_ITERATIONS - 1))
                .addUpsertions(upsertion("many", "p").setIterations(ScramMechanism.MAX_ITERATIONS + 1))
                .addUpsertions(upsertion("negative", "p").setIterations(-1)));
        for (String user : List.of("few", "many", "negative")) {
            assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, code(response, user), user);
            assertTrue(result(response, user).getError().getMessage().startsWith("iterations:"), user);
        }
        assertTrue(state.scramCredentials().isEmpty());
    }

    @Test
    void saltsAndSaltedPasswordsOfTheWrongLengthAreUnacceptable() {
        ByteString key = upsertion("x", "p").getSaltedPassword();
        AlterUserScramCredentialsResponse response = alter(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(upsertion("noSalt", "p").clearSalt())
                .addUpsertions(upsertion("shortSalt", "p").setSalt(ByteString.copyFrom(new byte[15])))
                .addUpsertions(upsertion("longSalt", "p").setSalt(ByteString.copyFrom(new byte[1025])))
                .addUpsertions(upsertion("shortKey", "p").setSaltedPassword(key.substring(1)))
                .addUpsertions(upsertion("longKey", "p").setSaltedPassword(key.concat(key)))
                .addUpsertions(upsertion("noKey", "p").clearSaltedPassword()));
        for (String user : List.of("noSalt", "shortSalt", "longSalt")) {
            assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, code(response, user), user);
            assertTrue(result(response, user).getError().getMessage().startsWith("salt:"), user);
        }
        for (String user : List.of("shortKey", "longKey", "noKey")) {
            assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, code(response, user), user);
            assertTrue(result(response, user).getError().getMessage().startsWith("salted_password:"), user);
        }
        assertTrue(state.scramCredentials().isEmpty());
    }

    @Test
    void anEmptyOrTooLongUserNameIsUnacceptableAsInKafka() {
        String tooLong = "u".repeat(ScramControl.MAX_USER_NAME_LENGTH + 1);
        AlterUserScramCredentialsResponse response = alter(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(upsertion("", "p"))
                .addUpsertions(upsertion(tooLong, "p"))
                .addUpsertions(upsertion("u".repeat(ScramControl.MAX_USER_NAME_LENGTH), "p")));
        assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, code(response, ""));
        assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, code(response, tooLong));
        assertEquals(ErrorCode.NONE, code(response, "u".repeat(ScramControl.MAX_USER_NAME_LENGTH)));
        assertEquals(1, state.scramCredentials().size());
    }

    @Test
    void aUserAlteredTwiceInOneRequestIsADuplicateAndNothingOfItIsApplied() {
        alter(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(upsertion("kept", "p"))
                .addUpsertions(upsertion("gone", "p")));
        AlterUserScramCredentialsResponse response = alter(AlterUserScramCredentialsRequest.newBuilder()
                .addDeletions(deletion("kept"))
                .addUpsertions(upsertion("kept", "new"))
                .addUpsertions(upsertion("twice", "a"))
                .addUpsertions(upsertion("twice", "b"))
                .addUpsertions(upsertion("thrice", "a"))
                .addUpsertions(upsertion("thrice", "b"))
                .addUpsertions(upsertion("thrice", "c"))
                .addDeletions(deletion("gone")));

        assertEquals(
                List.of("kept", "gone", "twice", "thrice"),
                response.getResultsList().stream()
                        .map(AlterUserScramCredentialsResult::getUser)
                        .toList());
        assertEquals(ErrorCode.DUPLICATE_RESOURCE, code(response, "kept"));
        assertEquals(ErrorCode.DUPLICATE_RESOURCE, code(response, "twice"));
        assertEquals(ErrorCode.DUPLICATE_RESOURCE, code(response, "thrice"));
        assertEquals(ErrorCode.NONE, code(response, "gone"));
        assertEquals(
                List.of("kept"),
                state.scramCredentials().stream()
                        .map(UserScramCredentialRecord::getName)
                        .toList());
        assertEquals(
                ScramProtos.credential(state.scramCredential("kept", SHA_512).orElseThrow()),
                FUNCTIONS.credential("p", SALT, ScramMechanism.MIN_ITERATIONS));
    }

    @Test
    void deletingACredentialThatDoesNotExistIsNotFound() {
        AlterUserScramCredentialsResponse response =
                alter(AlterUserScramCredentialsRequest.newBuilder().addDeletions(deletion("nobody")));
        assertEquals(ErrorCode.RESOURCE_NOT_FOUND, code(response, "nobody"));
    }

    @Test
    void moreThanAThousandAlterationsAreRefusedAsAWhole() {
        AlterUserScramCredentialsRequest.Builder request = AlterUserScramCredentialsRequest.newBuilder();
        for (int i = 0; i < ScramControl.MAX_PER_REQUEST; i++) {
            request.addDeletions(deletion("d" + i));
        }
        request.addUpsertions(upsertion("one-too-many", "p"));
        ControllerResult<AlterUserScramCredentialsResponse> result = scram.alterCredentials(request.build());
        assertEquals(ErrorCode.INVALID_REQUEST, result.response().getError().getCode());
        assertTrue(result.records().isEmpty());
        assertEquals(0, result.response().getResultsCount());
    }

    @Test
    void answersNeverCarryCredentialBytes() {
        ScramCredentialUpsertion.Builder bad = upsertion("alice", "p").setIterations(1);
        AlterUserScramCredentialsResponse response =
                alter(AlterUserScramCredentialsRequest.newBuilder().addUpsertions(bad));
        byte[] answer = response.toByteArray();
        assertFalse(contains(answer, bad.getSaltedPassword().toByteArray()));
        assertFalse(contains(answer, SALT));
    }
}
