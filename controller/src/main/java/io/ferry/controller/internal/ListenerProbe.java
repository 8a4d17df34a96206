package io.ferry.controller.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Asks whether anything still listens at a broker's address: how the active controller learns that a broker
 * whose heartbeat is late is gone, without waiting for its whole session to run out.
 */
@FunctionalInterface
public interface ListenerProbe {

    /** A probe that never finds a broker gone: sessions alone decide. */
    ListenerProbe NEVER_REFUSED = (host, port) -> CompletableFuture.completedFuture(false);

    /**
     * Completes with true only when a connection to {@code host:port} was refused: nothing listens there,
     * so the broker's process is gone. False for anything else (accepted, timed out, unresolvable): a
     * broker that cannot be reached is not thereby dead. Never completes exceptionally.
     */
    CompletableFuture<Boolean> refused(String host, int port);
}
