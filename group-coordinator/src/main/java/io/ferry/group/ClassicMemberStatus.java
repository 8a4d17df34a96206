package io.ferry.group;

import java.util.Objects;

/**
 * The answer to a classic member's SyncGroup or Heartbeat.
 *
 * @param assigned the partitions the member owns at its generation: a SyncGroup's assignment
 * @param errorMessage what is wrong, for a person; empty when {@code error} is {@link GroupError#NONE}
 */
public record ClassicMemberStatus(GroupError error, String errorMessage, Assignment assigned) {

    public ClassicMemberStatus {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(errorMessage, "errorMessage");
        Objects.requireNonNull(assigned, "assigned");
    }

    static ClassicMemberStatus refused(GroupError error, String message) {
        return new ClassicMemberStatus(error, message, Assignment.EMPTY);
    }
}
