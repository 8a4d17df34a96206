package io.ferry.controller.internal;

import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RemoveUserScramCredentialRecord;
import io.ferry.proto.v1.UserScramCredentialRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The SCRAM credentials of the metadata: at most one per (user, mechanism), as Kafka's {@code ScramImage}. Part
 * of {@link MetadataState}, which checks, replays and loads records through it. Not thread-safe: the
 * {@link MetadataState}'s lock guards it.
 */
final class UserScramCredentials {

    /** User name → mechanism's SASL name → credential. */
    private final TreeMap<String, TreeMap<String, UserScramCredentialRecord>> byUser = new TreeMap<>();

    /** Why the record cannot be applied; NONE when it can. */
    Error check(UserScramCredentialRecord r) {
        return ScramControl.problem(r)
                .map(problem -> Errors.of(ErrorCode.INVALID_REQUEST, "malformed SCRAM credential: " + problem))
                .orElse(Errors.NONE);
    }

    Error check(RemoveUserScramCredentialRecord r) {
        return find(r.getName(), r.getMechanism()).isPresent()
                ? Errors.NONE
                : Errors.of(ErrorCode.RESOURCE_NOT_FOUND, "no SCRAM credential to remove for that user and mechanism");
    }

    void replay(UserScramCredentialRecord r) {
        byUser.computeIfAbsent(r.getName(), user -> new TreeMap<>()).put(r.getMechanism(), r);
    }

    void replay(RemoveUserScramCredentialRecord r) {
        Map<String, UserScramCredentialRecord> mechanisms = byUser.get(r.getName());
        mechanisms.remove(r.getMechanism());
        if (mechanisms.isEmpty()) {
            byUser.remove(r.getName());
        }
    }

    /** Replaces every credential with a snapshot's. */
    void load(List<UserScramCredentialRecord> records) {
        byUser.clear();
        records.forEach(this::replay);
    }

    Optional<UserScramCredentialRecord> find(String user, String mechanism) {
        Map<String, UserScramCredentialRecord> mechanisms = byUser.get(user);
        return Optional.ofNullable(mechanisms == null ? null : mechanisms.get(mechanism));
    }

    /** Every credential, by user name, then mechanism. */
    List<UserScramCredentialRecord> all() {
        List<UserScramCredentialRecord> all = new ArrayList<>();
        byUser.values().forEach(mechanisms -> all.addAll(mechanisms.values()));
        return all;
    }
}
