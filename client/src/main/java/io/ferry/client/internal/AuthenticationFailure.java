package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryTransportException;
import io.ferry.proto.v1.ErrorCode;
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

    /**
     * The client's exception for a call that failed with {@code e}: SASL_AUTHENTICATION_FAILED (final) for a
     * refused authentication, else a retriable transport failure.
     *
     * @param what the call and the broker it went to, as the message starts
     */
    public static FerryException of(String what, StatusRuntimeException e) {
        return causedBy(e)
                ? new FerryException(
                        ErrorCode.SASL_AUTHENTICATION_FAILED,
                        what + ": " + e.getStatus().getDescription())
                : new FerryTransportException(what + ": " + e.getStatus(), e);
    }

    /** {@code status} marked as a refused authentication when it is one (UNAUTHENTICATED); else as it is. */
    static Status marked(Status status) {
        return status.getCode() == Status.Code.UNAUTHENTICATED
                ? status.withCause(new AuthenticationFailure(status.getDescription()))
                : status;
    }
}
