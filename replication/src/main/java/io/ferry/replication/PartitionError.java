package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;

/**
 * Why a partition-level request failed, in the API's error vocabulary.
 *
 * @param leaderId    the leader this broker knows for the partition, -1 if none (a hint for NOT_LEADER)
 * @param leaderEpoch that leader's epoch, -1 if unknown
 */
public record PartitionError(ErrorCode code, String message, int leaderId, int leaderEpoch) {

    public static PartitionError of(ErrorCode code, String message) {
        return new PartitionError(code, message, -1, -1);
    }
}
