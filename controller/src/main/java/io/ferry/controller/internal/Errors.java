package io.ferry.controller.internal;

import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;

/** Builds the {@link Error} messages responses carry. */
public final class Errors {
    /** The error every successful response carries. */
    public static final Error NONE = Error.newBuilder().setCode(ErrorCode.NONE).build();

    private Errors() {}

    public static Error of(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code).setMessage(message).build();
    }

    public static boolean isOk(Error error) {
        return error.getCode() == ErrorCode.NONE;
    }
}
