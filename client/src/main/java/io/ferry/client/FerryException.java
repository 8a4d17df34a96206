package io.ferry.client;

import io.ferry.client.internal.ErrorCodes;
import io.ferry.proto.v1.ErrorCode;

/**
 * Root of every error the client raises: a broker's typed error (its {@link ErrorCode} and the
 * broker's message), a transport failure, a timeout, or an invalid argument or configuration.
 *
 * <p>Whether an error is {@link #retriable()} comes from the {@code retriable} option on the
 * {@link ErrorCode} value in {@code errors.proto}; transport failures are always retriable.
 */
public class FerryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean retriable;

    /** An error with the code's own retriability. */
    public FerryException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public FerryException(ErrorCode code, String message, Throwable cause) {
        this(code, ErrorCodes.isRetriable(code), message, cause);
    }

    protected FerryException(ErrorCode code, boolean retriable, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retriable = retriable;
    }

    /** The broker's error code, or the code closest to a client-side failure. */
    public ErrorCode code() {
        return code;
    }

    /** True when repeating the operation (usually after a metadata refresh) may succeed. */
    public boolean retriable() {
        return retriable;
    }
}
