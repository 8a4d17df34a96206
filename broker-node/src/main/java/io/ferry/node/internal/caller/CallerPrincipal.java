package io.ferry.node.internal.caller;

import io.ferry.security.Principal;
import io.ferry.security.SslPrincipalMapper;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who made a call, decided once per connection when its transport is ready: on a TLS connection whose client
 * presented a certificate (mutual TLS, {@code ssl.client.auth}), the {@code User} that
 * {@code ssl.principal.mapping.rules} makes of the certificate's subject; on any other connection
 * {@link Principal#ANONYMOUS}. Every call's {@link Context} carries it, and handlers read it with
 * {@link #current()}. A client whose subject no rule maps is refused: each of its calls ends with
 * UNAUTHENTICATED, and the log says why (as Kafka, which closes such a connection).
 *
 * <p>Both of the node's gRPC servers install one instance as transport filter and interceptor. Thread-safe.
 */
public final class CallerPrincipal extends ServerTransportFilter implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(CallerPrincipal.class);

    /** The connection's principal; empty when its certificate maps to none and its calls are refused. */
    private static final Attributes.Key<Optional<Principal>> CONNECTION_PRINCIPAL =
            Attributes.Key.create("ferry-principal");

    private static final Context.Key<Principal> PRINCIPAL =
            Context.keyWithDefault("ferry-principal", Principal.ANONYMOUS);

    /** What a refused client is told: not which rule or which part of its certificate (the log says that). */
    static final String REFUSAL = "this listener does not accept the client certificate";

    private final SslPrincipalMapper mapper;
    /** A client reconnecting with an unmapped certificate is refused at every attempt: one line per 10 s. */
    private final RefusalLog refusals = new RefusalLog(TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    /** @param mapper the rules of {@code ssl.principal.mapping.rules} */
    public CallerPrincipal(SslPrincipalMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The principal of the call this thread serves: what authorization decides on. {@link Principal#ANONYMOUS}
     * for a call on a connection that authenticated no one, and outside a call. Read it on the thread gRPC
     * runs the call's handler on, or capture it there for work the call hands to other threads.
     */
    public static Principal current() {
        return PRINCIPAL.get();
    }

    /**
     * {@code context} with {@code principal} as its call's principal: for an interceptor that authenticates
     * calls on a connection this class left {@link Principal#ANONYMOUS} (a password session).
     */
    public static Context withPrincipal(Context context, Principal principal) {
        return context.withValue(PRINCIPAL, principal);
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
                .set(
                        CONNECTION_PRINCIPAL,
                        principal(
                                attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION),
                                attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                .build();
    }

    /**
     * The principal of a connection from {@code remote} whose TLS session is {@code session} (null on plaintext):
     * the mapped subject of its client certificate, {@link Principal#ANONYMOUS} without one, or empty when no rule
     * maps the subject (logged, naming the subject and the rules); for a listener that is not gRPC (the Kafka
     * listener) as for the gRPC ports.
     */
    public Optional<Principal> principal(SSLSession session, SocketAddress remote) {
        X509Certificate certificate = clientCertificate(session);
        if (certificate == null) {
            return Optional.of(Principal.ANONYMOUS);
        }
        String subject = certificate.getSubjectX500Principal().getName();
        Optional<String> name = mapper.name(subject);
        long suppressed = name.isEmpty() ? refusals.suppressedOrLog() : -1;
        if (suppressed >= 0) {
            log.warn(
                    "Refusing the calls of {}: no rule of ssl.principal.mapping.rules ({}) matches the subject '{}' of"
                            + " its client certificate ({} such refusals not logged since the last line)",
                    remote,
                    mapper.rules(),
                    subject,
                    suppressed);
        }
        return name.map(Principal::user);
    }

    /** The certificate the client presented, or null on plaintext and when it presented none. */
    private static X509Certificate clientCertificate(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Optional<Principal> principal = call.getAttributes().get(CONNECTION_PRINCIPAL);
        if (principal == null) {
            // A transport this filter never saw ready: none on a running node's servers.
            return next.startCall(call, headers);
        }
        if (principal.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription(REFUSAL), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal.get()), call, headers, next);
    }
}
