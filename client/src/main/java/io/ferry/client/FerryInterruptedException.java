package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;

/** A blocking client call was interrupted; the thread's interrupt flag is set again. */
public final class FerryInterruptedException extends FerryException {

    private static final long serialVersionUID = 1L;

    public FerryInterruptedException(String message, InterruptedException cause) {
        super(ErrorCode.UNKNOWN_SERVER_ERROR, false, message, cause);
        Thread.currentThread().interrupt();
    }
}
