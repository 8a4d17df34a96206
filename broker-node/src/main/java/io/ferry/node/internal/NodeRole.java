package io.ferry.node.internal;

import io.ferry.node.ProcessRole;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.ServerServiceDefinition;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One role of a node (broker or controller) as the node's lifecycle sees it: start (which yields
 * the gRPC services the role serves on the node's single port), health, close.
 *
 * <p>The node calls {@link #start()} once, then builds its gRPC server from the services of every
 * role, then calls {@link #close()} once (also after a failed or skipped start). A role's own
 * network endpoints (such as the controller's Raft port) are its business. {@link #health()} may
 * be called from any thread at any time, so implementations must make it thread-safe and cheap.
 */
public interface NodeRole extends AutoCloseable {

    ProcessRole role();

    /**
     * Starts the role. Must not wait for other nodes (a quorum forms only once enough nodes run):
     * {@link #health()} reports when the role can do its job.
     *
     * @return the services this role serves on the node's gRPC port
     */
    List<ServerServiceDefinition> start() throws Exception;

    /**
     * The full names of this role's methods whose handlers never block: they answer at once, or hand the work
     * over and answer from a callback. The node runs their calls on the transport's thread that read them, with
     * no hand-off to its gRPC executor; every other call runs on that executor. A handler that blocks here stalls
     * every connection of its transport thread. Asked after {@link #start()}.
     */
    default Set<String> transportMethods() {
        return Set.of();
    }

    /**
     * Called once the node's gRPC server is bound and serving, with its addresses (the real ports when
     * the configured ones were 0); a role that must announce them (a broker registering) starts doing
     * so here. Must not block.
     *
     * @param externalAddress the bound {@code grpc.external.listener}, if there is one
     */
    default void serving(InetSocketAddress grpcAddress, Optional<InetSocketAddress> externalAddress) {}

    /**
     * Called at shutdown before the node stops accepting gRPC calls, in reverse start order, so a role
     * can still be reached while it hands off its work (a broker's controlled shutdown moves its
     * leaderships away while clients can still ask it where they went). Must return in bounded time.
     */
    default void prepareStop() {}

    /**
     * The SCRAM credential of {@code user} this role knows (a broker: its metadata view's), for the node's
     * {@code SASL_SSL} listeners; empty for a role that knows none. Thread-safe, answered from memory.
     */
    default Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism) {
        return Optional.empty();
    }

    /** Whether the role is started and currently able to do its job, and if not, why. */
    RoleHealth health();

    /** Stops the role and releases its resources; must return in bounded time and report failures by logging. */
    @Override
    void close();
}
