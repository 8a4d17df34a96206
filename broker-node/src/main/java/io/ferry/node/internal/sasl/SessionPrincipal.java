package io.ferry.node.internal.sasl;

import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.Principal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The principal of a call on a {@code SASL_SSL} listener: the user whose session token the call carries in the
 * {@link #SESSION_HEADER} header. A client that presented a trusted certificate is already named by it
 * ({@link CallerPrincipal}) and needs no token, so brokers reach each other with their certificates. A call
 * with neither ends with UNAUTHENTICATED and words that do not say whether its token was missing, unknown or
 * expired; the log does, one line per {@link #REFUSAL_LOG_INTERVAL_NANOS}. Authenticating itself and health
 * checks need no token. A stream outlives no session: its first request after the session ended ends it
 * UNAUTHENTICATED ({@link SessionBoundCall}), and the client opens a new one with its new session.
 *
 * <p>The listener's server installs it so that it runs after {@link CallerPrincipal}. Thread-safe.
 */
public final class SessionPrincipal implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(SessionPrincipal.class);

    /** The header a client sends its session token in. */
    public static final Metadata.Key<String> SESSION_HEADER =
            Metadata.Key.of("ferry-sasl-session", Metadata.ASCII_STRING_MARSHALLER);

    /** What a caller without a live session is told. */
    public static final String REFUSAL =
            "this listener requires a session: authenticate with SaslAuthentication/Authenticate and send its"
                    + " token in the ferry-sasl-session header";

    static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Services a caller reaches before it has a session: authentication itself, and load balancers' checks. */
    private static final Set<String> OPEN_SERVICES =
            Set.of(SaslAuthenticationGrpc.SERVICE_NAME, HealthGrpc.SERVICE_NAME);

    private final SaslSessions sessions;
    private final RefusalLog refusalLog = new RefusalLog(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);

    public SessionPrincipal(SaslSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        if (!CallerPrincipal.current().equals(Principal.ANONYMOUS)
                || OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        SaslSessions.Lookup lookup = sessions.find(headers.get(SESSION_HEADER));
        if (lookup.principal().isPresent()) {
            SessionBoundCall<ReqT, RespT> bound = new SessionBoundCall<>(call);
            ServerCall.Listener<ReqT> listener = Contexts.interceptCall(
                    CallerPrincipal.withPrincipal(
                            Context.current(), lookup.principal().get()),
                    bound,
                    headers,
                    next);
            return bound.listener(listener, () -> {
                if (!sessions.hasEnded(lookup.endsAtNanos())) {
                    return false;
                }
                log.info(
                        "Ended a call to {} of {} on {}: its session expired",
                        call.getMethodDescriptor().getFullMethodName(),
                        lookup.principal().get(),
                        CallerConnection.current());
                return true;
            });
        }
        long suppressed = refusalLog.suppressedOrLog();
        if (suppressed >= 0) {
            log.warn(
                    "Refused a call to {} on {}: {}{} ({} refusals since the last line)",
                    call.getMethodDescriptor().getFullMethodName(),
                    CallerConnection.current(),
                    lookup.refusal().orElseThrow(),
                    lookup.expired().map(user -> " of " + user).orElse(""),
                    suppressed);
        }
        call.close(Status.UNAUTHENTICATED.withDescription(REFUSAL), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
