package io.ferry.node.internal;

import io.ferry.node.ProcessRole;
import io.grpc.ServerServiceDefinition;
import java.util.List;

/**
 * One role of a node (broker or controller) as the node's lifecycle sees it: the gRPC services it
 * adds to the node's single port, start, health, close.
 *
 * <p>The node calls {@link #services()} once before it starts its gRPC server, then {@link #start()}
 * once, then {@link #close()} once (also after a failed or skipped start). {@link #isHealthy()} may be
 * called from any thread at any time, so implementations must make it thread-safe and cheap.
 */
public interface NodeRole extends AutoCloseable {

    ProcessRole role();

    /** The services this role serves on the node's gRPC port; they must not start work before {@link #start()}. */
    List<ServerServiceDefinition> services();

    /** Starts the role; returns once it can serve (or throws). */
    void start() throws Exception;

    /** Whether the role is started and currently able to do its job. */
    boolean isHealthy();

    /** Stops the role and releases its resources; must return in bounded time. */
    @Override
    void close() throws Exception;
}
