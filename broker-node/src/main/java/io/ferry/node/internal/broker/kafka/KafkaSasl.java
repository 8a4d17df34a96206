package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.sasl.ScramCredentials;
import io.ferry.security.Principal;
import io.ferry.security.scram.ScramException;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.ScramServerExchange;
import io.ferry.security.scram.UnknownUserCredentials;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * One connection's SASL state on a {@code SASL_SSL} Kafka listener, as Kafka's broker keeps it: SaslHandshake
 * names the mechanism, SaslAuthenticate carries SCRAM's messages (client-first, then client-final), and only
 * then may the client send anything but ApiVersions. The session lasts {@code connections.max.reauth.ms};
 * kafka-clients authenticates again on the same connection before it ends (KIP-368), and a connection whose
 * session ended is closed at its next request. A failed authentication is answered with
 * SASL_AUTHENTICATION_FAILED and a message that does not say which part was wrong, and the connection closed.
 * Owned by the connection's event loop.
 */
public final class KafkaSasl {

    /**
     * What every connection of a SASL listener shares.
     *
     * @param sessionLifetimeMillis {@code connections.max.reauth.ms}: how long an authentication lasts
     */
    public record Settings(
            ScramCredentials credentials,
            Set<ScramMechanism> mechanisms,
            UnknownUserCredentials unknownUsers,
            long sessionLifetimeMillis) {}

    /** What the client is told for any failed authentication (the log says more). */
    static final String FAILED = "Authentication failed: invalid credentials with SASL mechanism ";

    private static final Set<ApiKeys> BEFORE_AUTHENTICATION =
            Set.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);

    /**
     * An answer to SaslAuthenticate.
     *
     * @param refusal why the connection is closed after the answer (for the log), or null
     */
    record Authenticated(SaslAuthenticateResponseData answer, String refusal) {}

    private final Settings settings;
    private ScramMechanism mechanism;
    private ScramServerExchange exchange;
    /** Whether the exchange has had its client-first message. */
    private boolean exchangeStarted;

    private Principal principal;
    private long sessionEndNanos;

    KafkaSasl(Settings settings) {
        this.settings = settings;
    }

    /** The authenticated user, once there is one. */
    Principal principal() {
        return principal;
    }

    boolean authenticated() {
        return principal != null;
    }

    /** Why a request of {@code api} may not be handled now, or null when it may. */
    String refusal(ApiKeys api, long nowNanos) {
        if (BEFORE_AUTHENTICATION.contains(api)) {
            return null;
        }
        if (principal == null) {
            return api + " before SASL authentication";
        }
        if (nowNanos - sessionEndNanos > 0) {
            return api + " after the SASL session of " + principal + " ended without re-authentication";
        }
        return null;
    }

    SaslHandshakeResponseData handshake(SaslHandshakeRequestData request) {
        List<String> enabled = settings.mechanisms().stream()
                .map(ScramMechanism::mechanismName)
                .sorted()
                .toList();
        ScramMechanism asked = ScramMechanism.forMechanismName(request.mechanism())
                .filter(settings.mechanisms()::contains)
                .orElse(null);
        if (asked == null) {
            return new SaslHandshakeResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())
                    .setMechanisms(enabled);
        }
        mechanism = asked;
        exchange = new ScramServerExchange(asked, settings.unknownUsers());
        exchangeStarted = false;
        return new SaslHandshakeResponseData().setErrorCode(Errors.NONE.code()).setMechanisms(enabled);
    }

    Authenticated authenticate(SaslAuthenticateRequestData request, long nowNanos) {
        if (exchange == null) {
            return failed("SaslAuthenticate without a SaslHandshake first", Errors.ILLEGAL_SASL_STATE);
        }
        String message = new String(request.authBytes(), StandardCharsets.UTF_8);
        try {
            if (!exchangeStarted) {
                exchangeStarted = true;
                String serverFirst = exchange.receiveClientFirst(
                        message, user -> settings.credentials().find(user, mechanism));
                return new Authenticated(answer(serverFirst), null);
            }
            String serverFinal = exchange.receiveClientFinal(message);
            Principal user = Principal.user(exchange.userName());
            if (principal != null && !principal.equals(user)) {
                return failed("re-authenticated as " + user + ", not " + principal, Errors.SASL_AUTHENTICATION_FAILED);
            }
            principal = user;
            sessionEndNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(settings.sessionLifetimeMillis());
            exchange = null;
            exchangeStarted = false;
            return new Authenticated(answer(serverFinal).setSessionLifetimeMs(settings.sessionLifetimeMillis()), null);
        } catch (ScramException | IllegalArgumentException | IllegalStateException e) {
            return failed(e.getMessage(), Errors.SASL_AUTHENTICATION_FAILED);
        }
    }

    private Authenticated failed(String why, Errors error) {
        String told = FAILED + (mechanism == null ? "?" : mechanism.mechanismName());
        return new Authenticated(
                new SaslAuthenticateResponseData()
                        .setErrorCode(error.code())
                        .setErrorMessage(told)
                        .setAuthBytes(new byte[0]),
                "SASL authentication failed: " + why);
    }

    private static SaslAuthenticateResponseData answer(String message) {
        return new SaslAuthenticateResponseData()
                .setErrorCode(Errors.NONE.code())
                .setAuthBytes(message.getBytes(StandardCharsets.UTF_8));
    }
}
