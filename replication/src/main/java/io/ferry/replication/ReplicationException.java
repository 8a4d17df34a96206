package io.ferry.replication;

import io.ferry.proto.v1.ErrorCode;

/** A partition operation refused with a typed error; nothing was changed. */
public final class ReplicationException extends Exception {

    private final PartitionError error;

    public ReplicationException(PartitionError error) {
        super(error.code() + ": " + error.message());
        this.error = error;
    }

    public ReplicationException(ErrorCode code, String message) {
        this(PartitionError.of(code, message));
    }

    public PartitionError error() {
        return error;
    }
}
