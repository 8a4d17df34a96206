package io.ferry.controller.internal;

import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.MetadataRecord;
import java.util.List;

/** Applies records to a {@link MetadataState} as one command decided and logged in Raft term 1. */
final class TermOneCommands {

    private TermOneCommands() {}

    static CommandResult apply(MetadataState state, List<MetadataRecord> records) {
        return state.apply(
                ControllerCommand.newBuilder()
                        .setLeaderTerm(1)
                        .addAllRecords(records)
                        .build(),
                1);
    }
}
