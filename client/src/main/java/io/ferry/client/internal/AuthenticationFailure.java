package io.ferry.client.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The cause a call's status carries when the call failed because its channel's SCRAM exchange was refused (a
 * wrong password or an unknown user) or did not verify: unlike a broker that cannot be reached, trying again
 * with the same password cannot succeed, so callers stop at once, as Kafka's clients do on an
 * AuthenticationException.
 */
public final class AuthenticationFailure extends RuntimeException {

    AuthenticationFailure(String message) {
        super(message, null, false, false);
    }

    /** Whether {@code e} failed for a refused authentication. */
    public static boolean causedBy(StatusRuntimeException e) {
        return e.getStatus().getCause() instanceof AuthenticationFailure;
    }

    /** {@code status} marked as a refused authentication when it is one (UNAUTHENTICATED); else as it is. */
    static Status marked(Status status) {
        return status.getCode() == Status.Code.UNAUTHENTICATED
                ? status.withCause(new AuthenticationFailure(status.getDescription()))
                : status;
    }
}
