package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RecordError;

/** Why a Subscribe stream is refused or ended: the {@link RecordError} its status carries. */
final class SubscribeRefusal extends Exception {

    private final transient RecordError error;

    SubscribeRefusal(RecordError error) {
        super(error.getMessage(), null, false, false);
        this.error = error;
    }

    SubscribeRefusal(ErrorCode code, String message) {
        this(RecordErrors.error(code, message, null));
    }

    RecordError error() {
        return error;
    }
}
