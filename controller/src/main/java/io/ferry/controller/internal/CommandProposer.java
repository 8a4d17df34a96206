package io.ferry.controller.internal;

import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import java.util.concurrent.CompletableFuture;

/**
 * Where the active controller sends the commands it decided: the Raft log in production, a
 * {@link MetadataState} directly in unit tests. The future completes once the command is applied
 * (with the result of applying it), or exceptionally when it could not be committed (for example
 * the node lost leadership).
 */
@FunctionalInterface
public interface CommandProposer {
    CompletableFuture<CommandResult> propose(ControllerCommand command);
}
