package io.ferry.node.internal.broker.peer;

import io.grpc.Status;
import java.io.IOException;

/** A call to another broker failed: it could not be made, or the broker (or the transport) ended it with a status. */
public final class PeerCallException extends IOException {

    private final Status.Code code;

    PeerCallException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The call's status code; UNAVAILABLE when it could not be made (no address for the broker). */
    public Status.Code code() {
        return code;
    }
}
