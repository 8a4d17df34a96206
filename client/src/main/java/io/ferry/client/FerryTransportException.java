package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;

/**
 * A broker could not be reached or the call failed below Ferry's error vocabulary (a gRPC status
 * such as UNAVAILABLE). Always retriable: another broker, or the same one later, may answer.
 */
public final class FerryTransportException extends FerryException {

    private static final long serialVersionUID = 1L;

    public FerryTransportException(String message, Throwable cause) {
        super(ErrorCode.UNKNOWN_SERVER_ERROR, true, message, cause);
    }
}
