package io.ferry.node.internal.broker.kafka;

import java.util.Optional;

/**
 * The session timeouts a classic member's JoinGroup may ask for: {@code group.min.session.timeout.ms} to
 * {@code group.max.session.timeout.ms}, as Kafka bounds them; any other is refused with INVALID_SESSION_TIMEOUT.
 */
public record ClassicSessionTimeouts(int minMs, int maxMs) {

    public ClassicSessionTimeouts {
        if (minMs <= 0 || minMs > maxMs) {
            throw new IllegalArgumentException("need 0 < min (" + minMs + " ms) <= max (" + maxMs + " ms)");
        }
    }

    /** Why {@code sessionTimeoutMs} is refused, or empty. */
    Optional<String> problem(int sessionTimeoutMs) {
        return sessionTimeoutMs < minMs || sessionTimeoutMs > maxMs
                ? Optional.of("session timeout " + sessionTimeoutMs + " ms is outside group.min.session.timeout.ms ("
                        + minMs + ") to group.max.session.timeout.ms (" + maxMs + ")")
                : Optional.empty();
    }
}
