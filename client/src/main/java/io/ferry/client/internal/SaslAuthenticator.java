package io.ferry.client.internal;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.SaslAuthenticateRequest;
import io.ferry.proto.v1.SaslAuthenticateResponse;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.scram.ScramClientExchange;
import io.ferry.security.scram.ScramException;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Authenticates one broker channel on a {@code SASL_SSL} listener: before a call needs it, runs the SCRAM
 * exchange of {@code SaslAuthentication/Authenticate} on the channel, keeps the session token the broker
 * answers with, and sends it in the {@code ferry-sasl-session} header of every call. It authenticates again
 * when the session is about to end, and when a call is refused UNAUTHENTICATED (the broker restarted, or dropped
 * the session). The password never leaves the client: only SCRAM's proof does. Installed on the channel as an
 * interceptor; thread-safe.
 */
final class SaslAuthenticator implements ClientInterceptor {

    static final Metadata.Key<String> SESSION_HEADER =
            Metadata.Key.of("ferry-sasl-session", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * The share of a session's lifetime after which the client authenticates again, as Kafka's clients
     * re-authenticate at 85-95% of it: a call never goes out with a token about to expire.
     */
    private static final double RENEW_AT = 0.85;

    /** Longer than the broker's own limit on an exchange, so that its answer, if any, arrives first. */
    static final long EXCHANGE_TIMEOUT_MILLIS = 15_000;

    private record Session(String token, long renewAtNanos) {}

    private final SaslLogin login;
    private final LongSupplier nanoTime;

    /** The session in use or being opened; null before the first call and after a refusal. Guarded by this. */
    private CompletableFuture<Session> session;

    SaslAuthenticator(SaslLogin login, LongSupplier nanoTime) {
        this.login = login;
        this.nanoTime = nanoTime;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        if (method.getServiceName().equals(SaslAuthenticationGrpc.SERVICE_NAME)) {
            return next.newCall(method, options);
        }
        SessionCredentials credentials = new SessionCredentials(next);
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options.withCallCredentials(credentials))) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                super.start(
                        new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                if (status.getCode() == Status.Code.UNAUTHENTICATED) {
                                    forget(credentials.used);
                                }
                                super.onClose(status, trailers);
                            }
                        },
                        headers);
            }
        };
    }

    /** The live session, or a new one being opened on {@code channel}. */
    private synchronized CompletableFuture<Session> session(Channel channel) {
        if (session == null
                || session.isCompletedExceptionally()
                || (session.isDone() && nanoTime.getAsLong() - session.join().renewAtNanos() >= 0)) {
            session = authenticate(channel);
        }
        return session;
    }

    /** Drops {@code refused} if it is still the session in use, so that the next call authenticates again. */
    private synchronized void forget(CompletableFuture<Session> refused) {
        if (refused != null && session == refused) {
            session = null;
        }
    }

    private CompletableFuture<Session> authenticate(Channel channel) {
        Exchange exchange = new Exchange(nanoTime.getAsLong());
        exchange.requests = SaslAuthenticationGrpc.newStub(channel)
                .withDeadlineAfter(EXCHANGE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .authenticate(exchange);
        exchange.requests.onNext(SaslAuthenticateRequest.newBuilder()
                .setMechanism(login.mechanism().mechanismName())
                .setAuthBytes(ByteString.copyFromUtf8(exchange.scram.clientFirst()))
                .build());
        return exchange.result;
    }

    /** One SCRAM exchange's stream; gRPC delivers its responses one at a time. */
    private final class Exchange implements StreamObserver<SaslAuthenticateResponse> {
        final CompletableFuture<Session> result = new CompletableFuture<>();
        final ScramClientExchange scram =
                new ScramClientExchange(login.mechanism(), login.userName(), login.password());
        /** When the exchange began: the session's lifetime is counted from before the broker's start of it. */
        private final long startNanos;

        volatile StreamObserver<SaslAuthenticateRequest> requests;
        private boolean serverFirstRead;

        Exchange(long startNanos) {
            this.startNanos = startNanos;
        }

        @Override
        public void onNext(SaslAuthenticateResponse response) {
            try {
                if (!serverFirstRead) {
                    serverFirstRead = true;
                    String clientFinal =
                            scram.receiveServerFirst(response.getAuthBytes().toStringUtf8());
                    requests.onNext(SaslAuthenticateRequest.newBuilder()
                            .setAuthBytes(ByteString.copyFromUtf8(clientFinal))
                            .build());
                    return;
                }
                scram.receiveServerFinal(response.getAuthBytes().toStringUtf8());
                if (response.getSessionToken().isEmpty() || response.getSessionLifetimeMs() <= 0) {
                    throw new ScramException("the broker's answer has no session token or lifetime");
                }
                long lifetimeNanos = TimeUnit.MILLISECONDS.toNanos(response.getSessionLifetimeMs());
                result.complete(
                        new Session(response.getSessionToken(), startNanos + (long) (lifetimeNanos * RENEW_AT)));
                requests.onCompleted();
            } catch (ScramException e) {
                StatusRuntimeException refusal = Status.UNAUTHENTICATED
                        .withDescription("the broker's SCRAM answer does not verify: " + e.getMessage())
                        .asRuntimeException();
                result.completeExceptionally(refusal);
                requests.onError(refusal);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            result.completeExceptionally(Status.UNAUTHENTICATED
                    .withDescription("the broker ended the authentication before it answered with a session")
                    .asRuntimeException());
        }
    }

    /** Adds the session's token to one call, opening a session first when there is none. */
    private final class SessionCredentials extends CallCredentials {
        private final Channel channel;
        /** The session this call went out with, so that a refusal drops that one and not a newer one. */
        volatile CompletableFuture<Session> used;

        SessionCredentials(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            CompletableFuture<Session> current = session(channel);
            used = current;
            current.whenComplete((opened, failure) -> {
                if (failure != null) {
                    // Only the exchange's own refusal is final; a broker that could not be reached is not.
                    applier.fail(AuthenticationFailure.marked(Status.fromThrowable(failure)));
                    return;
                }
                Metadata headers = new Metadata();
                headers.put(SESSION_HEADER, opened.token());
                applier.apply(headers);
            });
        }
    }
}
