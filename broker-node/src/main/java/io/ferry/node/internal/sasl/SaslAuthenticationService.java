package io.ferry.node.internal.sasl;

import com.google.protobuf.ByteString;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.proto.v1.SaslAuthenticateRequest;
import io.ferry.proto.v1.SaslAuthenticateResponse;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.Principal;
import io.ferry.security.scram.ScramException;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.ScramServerExchange;
import io.ferry.security.scram.UnknownUserCredentials;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SaslAuthentication/Authenticate} on a {@code SASL_SSL} listener: runs one SCRAM exchange per stream and,
 * when the client's proof verifies, opens a session ({@link SaslSessions}) whose token the client sends with its
 * other calls. A failed exchange ends with UNAUTHENTICATED and the same words whatever went wrong; the log says
 * what did (user, cause, address), one line per {@link #REFUSAL_LOG_INTERVAL_NANOS}.
 *
 * <p>Exchanges in progress are bounded ({@link #MAX_EXCHANGES_IN_PROGRESS}) and each must finish within
 * {@code exchangeTimeoutMillis}, so clients that open streams and go quiet hold neither memory nor slots.
 * Thread-safe; one stream's messages arrive in order.
 */
public final class SaslAuthenticationService extends SaslAuthenticationGrpc.SaslAuthenticationImplBase {

    private static final Logger log = LoggerFactory.getLogger(SaslAuthenticationService.class);

    /**
     * Exchanges the node runs at once. One takes two round trips and a few HMACs of server time, so a thousand
     * at once means clients that open streams and do not finish them; more are refused at once.
     */
    static final int MAX_EXCHANGES_IN_PROGRESS = 1_000;

    /** How long an exchange may take from its stream's start: two round trips, on a slow network. */
    public static final long EXCHANGE_TIMEOUT_MILLIS = 10_000;

    static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What a client whose exchange failed is told: not whether the user or the password was wrong. */
    static final String AUTHENTICATION_FAILED = "authentication failed: invalid user name or password";

    private static final int MAX_AUTH_BYTES = 4096;

    private final ScramCredentials credentials;
    private final SaslSessions sessions;
    private final Set<ScramMechanism> enabledMechanisms;
    private final UnknownUserCredentials unknownUsers;
    private final ScheduledExecutorService timer;
    private final long exchangeTimeoutMillis;
    private final RefusalLog refusalLog = new RefusalLog(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);
    private final AtomicInteger inProgress = new AtomicInteger();

    /**
     * @param enabledMechanisms {@code sasl.enabled.mechanisms}
     * @param timer ends exchanges that take longer than {@code exchangeTimeoutMillis} (owned by the caller)
     */
    public SaslAuthenticationService(
            ScramCredentials credentials,
            SaslSessions sessions,
            Set<ScramMechanism> enabledMechanisms,
            UnknownUserCredentials unknownUsers,
            ScheduledExecutorService timer,
            long exchangeTimeoutMillis) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.enabledMechanisms = Set.copyOf(enabledMechanisms);
        this.unknownUsers = unknownUsers;
        this.timer = timer;
        this.exchangeTimeoutMillis = exchangeTimeoutMillis;
    }

    @Override
    public StreamObserver<SaslAuthenticateRequest> authenticate(StreamObserver<SaslAuthenticateResponse> responses) {
        ServerCallStreamObserver<SaslAuthenticateResponse> call =
                (ServerCallStreamObserver<SaslAuthenticateResponse>) responses;
        if (inProgress.incrementAndGet() > MAX_EXCHANGES_IN_PROGRESS) {
            inProgress.decrementAndGet();
            call.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("the broker runs too many authentications at once; try again shortly")
                    .asRuntimeException());
            return new Ignored();
        }
        Exchange exchange = new Exchange(call);
        exchange.startTimer();
        return exchange;
    }

    /** One stream's exchange. Its methods are synchronized against the timer that may end it. */
    private final class Exchange implements StreamObserver<SaslAuthenticateRequest> {
        private final ServerCallStreamObserver<SaslAuthenticateResponse> call;
        /** The caller's connection, as the log names it. */
        private final String connection = CallerConnection.current().toString();

        private ScheduledFuture<?> timeout;
        private ScramServerExchange scram;
        private boolean ended;

        Exchange(ServerCallStreamObserver<SaslAuthenticateResponse> call) {
            this.call = call;
        }

        /** Schedules the end of an exchange that takes too long; the lock keeps it from running before this returns. */
        synchronized void startTimer() {
            timeout = timer.schedule(this::timedOut, exchangeTimeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void onNext(SaslAuthenticateRequest request) {
            if (ended) {
                return;
            }
            try {
                if (scram == null) {
                    first(request);
                } else {
                    last(request);
                }
            } catch (ScramException e) {
                refused(e.getMessage());
                end(Status.UNAUTHENTICATED.withDescription(AUTHENTICATION_FAILED));
            } catch (IllegalArgumentException e) {
                end(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            }
        }

        private void first(SaslAuthenticateRequest request) throws ScramException {
            ScramMechanism mechanism = ScramMechanism.forMechanismName(request.getMechanism())
                    .filter(enabledMechanisms::contains)
                    .orElseThrow(() -> new IllegalArgumentException("mechanism: '" + printable(request.getMechanism())
                            + "' is not enabled on this listener; sasl.enabled.mechanisms is " + enabledMechanisms));
            scram = new ScramServerExchange(mechanism, unknownUsers);
            String serverFirst =
                    scram.receiveClientFirst(authBytes(request), user -> credentials.find(user, mechanism));
            call.onNext(response(serverFirst).build());
        }

        private void last(SaslAuthenticateRequest request) throws ScramException {
            if (!request.getMechanism().isEmpty()) {
                throw new IllegalArgumentException("mechanism: set in the first request only");
            }
            String serverFinal = scram.receiveClientFinal(authBytes(request));
            Principal principal = Principal.user(scram.userName());
            SaslSessions.NewSession session = sessions.open(principal).orElse(null);
            if (session == null) {
                log.warn("Refused a session to {} on {}: the node holds too many sessions", principal, connection);
                end(Status.RESOURCE_EXHAUSTED.withDescription(
                        "the broker holds too many sessions; try again when some have expired"));
                return;
            }
            call.onNext(response(serverFinal)
                    .setSessionToken(session.token())
                    .setSessionLifetimeMs(session.lifetimeMillis())
                    .build());
            finish();
            call.onCompleted();
        }

        @Override
        public synchronized void onError(Throwable cancelled) {
            finish();
        }

        @Override
        public synchronized void onCompleted() {
            if (!ended) {
                end(Status.INVALID_ARGUMENT.withDescription("the client ended the stream before the exchange did"));
            }
        }

        private synchronized void timedOut() {
            if (!ended) {
                refused("the exchange did not finish within " + exchangeTimeoutMillis + " ms");
                end(Status.DEADLINE_EXCEEDED.withDescription(
                        "the authentication did not finish within " + exchangeTimeoutMillis + " ms"));
            }
        }

        /** The user name the client gave, or '?' before it gave one. */
        private String user() {
            try {
                return scram == null ? "?" : scram.userName();
            } catch (IllegalStateException noClientFirstYet) {
                return "?";
            }
        }

        private void end(Status status) {
            finish();
            call.onError(status.asRuntimeException());
        }

        /** Releases the exchange's slot, once. */
        private void finish() {
            if (!ended) {
                ended = true;
                timeout.cancel(false);
                inProgress.decrementAndGet();
            }
        }

        private void refused(String cause) {
            long suppressed = refusalLog.suppressedOrLog();
            if (suppressed >= 0) {
                log.warn(
                        "Refused the SASL authentication of user '{}' on {}: {} ({} refusals since the last line)",
                        printable(user()),
                        connection,
                        printable(cause),
                        suppressed);
            }
        }
    }

    /** The stream of an exchange refused before it began. */
    private static final class Ignored implements StreamObserver<SaslAuthenticateRequest> {
        @Override
        public void onNext(SaslAuthenticateRequest request) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }

    private static String authBytes(SaslAuthenticateRequest request) {
        ByteString bytes = request.getAuthBytes();
        if (bytes.isEmpty() || bytes.size() > MAX_AUTH_BYTES) {
            throw new IllegalArgumentException(
                    "auth_bytes: expected 1 to " + MAX_AUTH_BYTES + " bytes, got " + bytes.size());
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("auth_bytes: not UTF-8");
        }
    }

    private static SaslAuthenticateResponse.Builder response(String message) {
        return SaslAuthenticateResponse.newBuilder().setAuthBytes(ByteString.copyFromUtf8(message));
    }

    /** A caller's text as a log or an error may show it: at most 300 characters, no control characters. */
    private static String printable(String text) {
        String cut = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        return cut.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
