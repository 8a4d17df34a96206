package io.ferry.group;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a heartbeat.
 *
 * @param assignment the partitions the member should own now, when they changed or the request was full;
 *     partitions missing from it that the member owns are to be revoked
 * @param errorMessage what is wrong, for a person; empty when {@code error} is {@link GroupError#NONE}
 */
public record HeartbeatResponse(
        String memberId,
        int memberEpoch,
        int heartbeatIntervalMs,
        Optional<Assignment> assignment,
        GroupError error,
        String errorMessage) {

    public HeartbeatResponse {
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(errorMessage, "errorMessage");
    }

    /** The answer to a request refused with {@code error}: the group did not change. */
    public static HeartbeatResponse failure(HeartbeatRequest request, GroupError error, String message) {
        return new HeartbeatResponse(request.memberId(), request.memberEpoch(), 0, Optional.empty(), error, message);
    }
}
