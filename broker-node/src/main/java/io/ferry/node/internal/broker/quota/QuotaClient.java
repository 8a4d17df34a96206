package io.ferry.node.internal.broker.quota;

import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.node.internal.caller.CallerPrincipal;

/**
 * Whom quotas measure a call for: its principal's name (alice for User:alice, Kafka's quota user) and the
 * client id its client sent ("" for none).
 */
public record QuotaClient(String user, String clientId) {

    /** The caller of the call this thread serves; read it on the call's handler thread. */
    public static QuotaClient current() {
        return new QuotaClient(CallerPrincipal.current().name(), CallerClientId.current());
    }
}
