package io.ferry.controller.internal;

import io.ferry.proto.v1.MetadataRecord;
import java.util.List;

/**
 * What deciding a request produced, before anything changed: the records to commit as one command, and
 * the answer once they are committed. No records: the answer stands at once (a refusal, or nothing to
 * change). Kafka's {@code ControllerResult}.
 */
record ControllerResult<T>(List<MetadataRecord> records, T response) {

    ControllerResult {
        records = List.copyOf(records);
    }

    /** An answer that needs no commit. */
    static <T> ControllerResult<T> atOnce(T response) {
        return new ControllerResult<>(List.of(), response);
    }
}
