package io.ferry.node.internal.sasl;

import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import java.util.Optional;

/**
 * Where a broker finds the credential a user authenticates against: the SCRAM credentials of the controller's
 * metadata, as the broker's view of it holds them. Implementations are thread-safe and answer from memory:
 * every authentication asks.
 */
@FunctionalInterface
public interface ScramCredentials {

    /** The credential of {@code user} for {@code mechanism}, or empty if the user has none. */
    Optional<ScramCredential> find(String user, ScramMechanism mechanism);
}
