package io.ferry.node.internal.broker.group;

import io.ferry.proto.v1.ErrorCode;

/**
 * Why the coordinator runtime did not run or finish an operation, as a client should see it:
 * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE or UNKNOWN_SERVER_ERROR, with
 * a message naming the group's partition.
 */
public final class CoordinatorException extends RuntimeException {

    private final ErrorCode code;

    public CoordinatorException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
