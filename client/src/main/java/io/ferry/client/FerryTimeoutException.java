package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;

/** An operation did not finish within its configured time (code {@link ErrorCode#REQUEST_TIMED_OUT}). */
public class FerryTimeoutException extends FerryException {

    private static final long serialVersionUID = 1L;

    public FerryTimeoutException(String message) {
        super(ErrorCode.REQUEST_TIMED_OUT, message);
    }

    public FerryTimeoutException(String message, Throwable cause) {
        super(ErrorCode.REQUEST_TIMED_OUT, message, cause);
    }
}
