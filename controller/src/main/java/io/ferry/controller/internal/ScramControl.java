package io.ferry.controller.internal;

import io.ferry.controller.ScramProtos;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsResult;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.RemoveUserScramCredentialRecord;
import io.ferry.proto.v1.ScramCredentialDeletion;
import io.ferry.proto.v1.ScramCredentialUpsertion;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides SCRAM credential changes from the committed {@link MetadataState}, as Kafka's
 * {@code ScramControlManager}: each user of an AlterUserScramCredentials request is answered on its own (a user
 * named twice in one request is refused, DUPLICATE_RESOURCE), and the controller derives the stored and server
 * keys from the salted password the client sent, so that neither the password nor the salted password is ever
 * stored. Error messages name the field, never a byte of a credential. Runs on the active controller's event
 * thread; never mutates the state.
 */
final class ScramControl {

    /** Most deletions and upsertions together that one request may carry. */
    static final int MAX_PER_REQUEST = 1000;
    /** Longest user name, in characters (as an ACL's principal). */
    static final int MAX_USER_NAME_LENGTH = 1024;
    /** Shortest salt: 128 bits, NIST SP 800-132's floor for a password salt. */
    static final int MIN_SALT_BYTES = 16;
    /** Longest salt; clients use 64 bytes ({@link ScramFunctions#newSalt}). */
    static final int MAX_SALT_BYTES = 1024;

    private final MetadataState state;

    ScramControl(MetadataState state) {
        this.state = state;
    }

    ControllerResult<AlterUserScramCredentialsResponse> alterCredentials(AlterUserScramCredentialsRequest request) {
        int alterations = request.getDeletionsCount() + request.getUpsertionsCount();
        if (alterations > MAX_PER_REQUEST) {
            return ControllerResult.atOnce(AlterUserScramCredentialsResponse.newBuilder()
                    .setError(tooMany("deletions and upsertions", alterations))
                    .build());
        }
        // Kafka's order: every deletion, then every upsertion. A user named again is refused as a whole, and
        // what was kept of its first alteration dropped; a user already refused stays refused as it was.
        Map<String, Error> refused = new LinkedHashMap<>();
        Map<String, ScramCredentialDeletion> deletions = new LinkedHashMap<>();
        Map<String, ScramCredentialUpsertion> upsertions = new LinkedHashMap<>();
        Set<String> users = new LinkedHashSet<>();
        for (ScramCredentialDeletion deletion : request.getDeletionsList()) {
            String user = deletion.getName();
            users.add(user);
            if (refused.containsKey(user)) {
                continue;
            }
            if (deletions.remove(user) != null) {
                refused.put(user, duplicate());
                continue;
            }
            deletionProblem(deletion)
                    .ifPresentOrElse(error -> refused.put(user, error), () -> deletions.put(user, deletion));
        }
        for (ScramCredentialUpsertion upsertion : request.getUpsertionsList()) {
            String user = upsertion.getName();
            users.add(user);
            if (refused.containsKey(user)) {
                continue;
            }
            if (deletions.remove(user) != null || upsertions.remove(user) != null) {
                refused.put(user, duplicate());
                continue;
            }
            upsertionProblem(upsertion)
                    .ifPresentOrElse(error -> refused.put(user, error), () -> upsertions.put(user, upsertion));
        }
        List<MetadataRecord> records = new ArrayList<>();
        deletions
                .values()
                .forEach(d -> records.add(MetadataRecord.newBuilder()
                        .setRemoveUserScramCredential(RemoveUserScramCredentialRecord.newBuilder()
                                .setName(d.getName())
                                .setMechanism(d.getMechanism()))
                        .build()));
        upsertions
                .values()
                .forEach(u -> records.add(MetadataRecord.newBuilder()
                        .setUserScramCredential(credentialRecord(u))
                        .build()));
        AlterUserScramCredentialsResponse.Builder response =
                AlterUserScramCredentialsResponse.newBuilder().setError(Errors.NONE);
        for (String user : users) {
            response.addResults(AlterUserScramCredentialsResult.newBuilder()
                    .setUser(user)
                    .setError(refused.getOrDefault(user, Errors.NONE)));
        }
        return new ControllerResult<>(records, response.build());
    }

    private static Error duplicate() {
        return Errors.of(
                ErrorCode.DUPLICATE_RESOURCE, "a user's credential cannot be altered twice in the same request");
    }

    private Optional<Error> deletionProblem(ScramCredentialDeletion deletion) {
        Optional<Error> named = nameAndMechanismProblem(deletion.getName(), deletion.getMechanism());
        if (named.isPresent()) {
            return named;
        }
        return state.scramCredential(deletion.getName(), deletion.getMechanism())
                        .isPresent()
                ? Optional.empty()
                : Optional.of(Errors.of(
                        ErrorCode.RESOURCE_NOT_FOUND, "attempt to delete a user credential that does not exist"));
    }

    private static Optional<Error> upsertionProblem(ScramCredentialUpsertion upsertion) {
        Optional<Error> named = nameAndMechanismProblem(upsertion.getName(), upsertion.getMechanism());
        if (named.isPresent()) {
            return named;
        }
        ScramMechanism mechanism = ScramProtos.mechanism(upsertion.getMechanism());
        return iterationsProblem(upsertion.getIterations())
                .or(() -> saltProblem(upsertion.getSalt().size()))
                .or(() -> keyLengthProblem(
                        "salted_password", upsertion.getSaltedPassword().size(), mechanism))
                .map(problem -> Errors.of(ErrorCode.UNACCEPTABLE_CREDENTIAL, problem));
    }

    /** Kafka's checks of both alterations: a name (UNACCEPTABLE_CREDENTIAL), a mechanism it offers. */
    private static Optional<Error> nameAndMechanismProblem(String user, String mechanism) {
        Optional<String> name = nameProblem(user);
        if (name.isPresent()) {
            return name.map(problem -> Errors.of(ErrorCode.UNACCEPTABLE_CREDENTIAL, problem));
        }
        if (ScramMechanism.forMechanismName(mechanism).isEmpty()) {
            return Optional.of(Errors.of(
                    ErrorCode.UNSUPPORTED_SASL_MECHANISM,
                    "mechanism: unknown SCRAM mechanism; this cluster offers " + List.of(ScramMechanism.values())));
        }
        return Optional.empty();
    }

    private static Optional<String> nameProblem(String user) {
        if (user.isEmpty()) {
            return Optional.of("name: a user name must not be empty");
        }
        if (user.length() > MAX_USER_NAME_LENGTH) {
            return Optional.of("name: a user name is at most " + MAX_USER_NAME_LENGTH + " characters, this one has "
                    + user.length());
        }
        return Optional.empty();
    }

    private static Optional<String> iterationsProblem(int iterations) {
        if (iterations < ScramMechanism.MIN_ITERATIONS) {
            return Optional.of(
                    "iterations: too few iterations (" + iterations + "); at least " + ScramMechanism.MIN_ITERATIONS);
        }
        if (iterations > ScramMechanism.MAX_ITERATIONS) {
            return Optional.of(
                    "iterations: too many iterations (" + iterations + "); at most " + ScramMechanism.MAX_ITERATIONS);
        }
        return Optional.empty();
    }

    private static Optional<String> saltProblem(int bytes) {
        return bytes < MIN_SALT_BYTES || bytes > MAX_SALT_BYTES
                ? Optional.of("salt: " + bytes + " bytes; a salt has " + MIN_SALT_BYTES + " to " + MAX_SALT_BYTES)
                : Optional.empty();
    }

    private static Optional<String> keyLengthProblem(String field, int bytes, ScramMechanism mechanism) {
        int expected = mechanism.keyBits() / Byte.SIZE;
        return bytes == expected
                ? Optional.empty()
                : Optional.of(field + ": " + bytes + " bytes; " + mechanism + " needs " + expected);
    }

    /** The stored credential of a valid upsertion: the salted password goes no further than this method. */
    private static UserScramCredentialRecord credentialRecord(ScramCredentialUpsertion u) {
        ScramFunctions functions = new ScramFunctions(ScramProtos.mechanism(u.getMechanism()));
        return ScramProtos.record(
                u.getName(),
                functions.credentialFromSaltedPassword(
                        u.getSalt().toByteArray(), u.getSaltedPassword().toByteArray(), u.getIterations()));
    }

    /**
     * Why a credential record cannot be applied, naming the field; empty when it can. Every controller checks
     * each record before applying it, so a record decided wrongly never reaches the metadata.
     */
    static Optional<String> problem(UserScramCredentialRecord r) {
        Optional<String> name = nameProblem(r.getName());
        if (name.isPresent()) {
            return name;
        }
        ScramMechanism mechanism;
        try {
            mechanism = ScramProtos.mechanism(r.getMechanism());
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        return iterationsProblem(r.getIterations())
                .or(() -> saltProblem(r.getSalt().size()))
                .or(() -> keyLengthProblem("stored_key", r.getStoredKey().size(), mechanism))
                .or(() -> keyLengthProblem("server_key", r.getServerKey().size(), mechanism));
    }

    private static Error tooMany(String field, int count) {
        return Errors.of(
                ErrorCode.INVALID_REQUEST,
                field + " has " + count + " entries; at most " + MAX_PER_REQUEST + " are allowed");
    }
}
