package io.ferry.node.internal.broker.handler;

import io.ferry.group.GroupError;
import io.ferry.node.internal.broker.group.CoordinatorException;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The errors of consumer group calls in the API's form. */
final class GroupErrors {

    private static final Logger log = LoggerFactory.getLogger(GroupErrors.class);

    private GroupErrors() {}

    /**
     * The API's code for a refusal of the group logic. Both vocabularies take Kafka's names, so a code is the
     * one of the same name; a {@link GroupError} the API lacks (a test keeps the two in step) is
     * UNKNOWN_SERVER_ERROR rather than a wrong code.
     */
    static ErrorCode code(GroupError error) {
        try {
            return ErrorCode.valueOf(error.name());
        } catch (IllegalArgumentException e) {
            return ErrorCode.UNKNOWN_SERVER_ERROR;
        }
    }

    static Error of(GroupError error, String message) {
        return PartitionLookup.error(code(error), error == GroupError.NONE ? "" : message);
    }

    static Error none() {
        return PartitionLookup.NO_ERROR;
    }

    /**
     * Why an operation on the coordinator failed: the runtime's {@link CoordinatorException} as it says, anything
     * else (a bug) UNKNOWN_SERVER_ERROR, logged.
     */
    static Error of(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CoordinatorException e) {
            return PartitionLookup.error(e.code(), e.getMessage());
        }
        log.warn("A consumer group operation failed unexpectedly", cause);
        return PartitionLookup.error(
                ErrorCode.UNKNOWN_SERVER_ERROR, "the coordinator failed to handle the request: " + cause);
    }
}
