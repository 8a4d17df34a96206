package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ErrorCode;

/** Commits what a control decided, as the active controller does once Raft has it. */
final class Committed {
    private Committed() {}

    /** Applies the result's records to {@code state} as one command (asserting it applied); its answer. */
    static <T> T commit(MetadataState state, ControllerResult<T> result) {
        assertEquals(
                ErrorCode.NONE,
                state.apply(
                                ControllerCommand.newBuilder()
                                        .setLeaderTerm(1)
                                        .addAllRecords(result.records())
                                        .build(),
                                1)
                        .getError()
                        .getCode());
        return result.response();
    }
}
