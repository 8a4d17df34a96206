package io.ferry.client;

import io.ferry.proto.v1.ErrorCode;

/** A client configuration key is unknown, missing or has a malformed value. */
public final class FerryConfigException extends FerryException {

    private static final long serialVersionUID = 1L;

    public FerryConfigException(String message) {
        super(ErrorCode.INVALID_REQUEST, false, message, null);
    }
}
