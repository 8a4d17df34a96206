package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RecordError;
import io.grpc.Status;

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

    /**
     * A refusal with a status no Ferry error maps to (UNIMPLEMENTED), still carrying {@code code} in its
     * details.
     */
    static SubscribeRefusal withStatus(Status.Code status, ErrorCode code, String message) {
        return new SubscribeRefusal(RecordErrors.error(code, message, null).toBuilder()
                .setGrpcCode(status.value())
                .build());
    }

    RecordError error() {
        return error;
    }
}
