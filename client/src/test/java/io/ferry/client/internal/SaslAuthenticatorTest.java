package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.SaslAuthenticateRequest;
import io.ferry.proto.v1.SaslAuthenticateResponse;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramException;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.ScramServerExchange;
import io.ferry.security.scram.UnknownUserCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of SASL sessions against a loopback broker that runs the SCRAM exchange, hands out numbered
 * tokens, and serves Metadata only to a call with a token it handed out.
 */
class SaslAuthenticatorTest {

    private static final ScramCredential ALICE =
            new ScramFunctions(ScramMechanism.SCRAM_SHA_512).credential("alice-secret", ScramFunctions.newSalt(), 4096);
    private static final long LIFETIME_MS = 60_000;
    private static final Context.Key<String> TOKEN = Context.key("token");

    private final AtomicInteger exchanges = new AtomicInteger();
    private final Set<String> liveTokens = ConcurrentHashMap.newKeySet();
    private final AtomicLong nanoTime = new AtomicLong();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ServerInterceptor readToken = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String token = headers.get(SaslAuthenticator.SESSION_HEADER);
                return Contexts.interceptCall(
                        Context.current().withValue(TOKEN, token == null ? "" : token), call, headers, next);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new Authentication())
                .addService(ServerInterceptors.intercept(new Broker(), readToken))
                .build()
                .start();
        channel = channelAs("alice-secret");
    }

    /** A channel to the broker that authenticates as alice with {@code password}. */
    private ManagedChannel channelAs(String password) {
        return Grpc.newChannelBuilderForAddress(
                        "127.0.0.1",
                        ((InetSocketAddress) server.getListenSockets().get(0)).getPort(),
                        InsecureChannelCredentials.create())
                .intercept(new SaslAuthenticator(
                        new SaslLogin(ScramMechanism.SCRAM_SHA_512, "alice", password), nanoTime::get))
                .build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private final class Authentication extends SaslAuthenticationGrpc.SaslAuthenticationImplBase {
        @Override
        public StreamObserver<SaslAuthenticateRequest> authenticate(StreamObserver<SaslAuthenticateResponse> out) {
            ScramServerExchange scram =
                    new ScramServerExchange(ScramMechanism.SCRAM_SHA_512, UnknownUserCredentials.withRandomSecret());
            return new StreamObserver<>() {
                @Override
                public void onNext(SaslAuthenticateRequest request) {
                    try {
                        String message = request.getAuthBytes().toStringUtf8();
                        if (!request.getMechanism().isEmpty()) {
                            out.onNext(answer(scram.receiveClientFirst(message, user -> Optional.of(ALICE)))
                                    .build());
                            return;
                        }
                        String token = "token-" + exchanges.incrementAndGet();
                        String serverFinal = scram.receiveClientFinal(message);
                        liveTokens.add(token);
                        out.onNext(answer(serverFinal)
                                .setSessionToken(token)
                                .setSessionLifetimeMs(LIFETIME_MS)
                                .build());
                        out.onCompleted();
                    } catch (ScramException e) {
                        out.onError(Status.UNAUTHENTICATED.withDescription("no").asRuntimeException());
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            };
        }
    }

    private static SaslAuthenticateResponse.Builder answer(String message) {
        return SaslAuthenticateResponse.newBuilder().setAuthBytes(ByteString.copyFromUtf8(message));
    }

    private final class Broker extends BrokerServiceGrpc.BrokerServiceImplBase {
        @Override
        public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> out) {
            if (!liveTokens.contains(TOKEN.get())) {
                out.onError(Status.UNAUTHENTICATED.withDescription("no session").asRuntimeException());
                return;
            }
            out.onNext(MetadataResponse.getDefaultInstance());
            out.onCompleted();
        }
    }

    private void call() {
        BrokerServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .metadata(MetadataRequest.getDefaultInstance());
    }

    @Test
    void theChannelAuthenticatesOnceBeforeItsFirstCallAndKeepsTheSession() {
        call();
        call();
        call();

        assertEquals(1, exchanges.get());
    }

    @Test
    void itAuthenticatesAgainBeforeTheSessionEndsWithoutACallBeingRefused() {
        call();
        nanoTime.addAndGet(TimeUnit.MILLISECONDS.toNanos(LIFETIME_MS * 84 / 100));
        call();
        assertEquals(1, exchanges.get(), "at 84% of the lifetime the session is still used");

        nanoTime.addAndGet(TimeUnit.MILLISECONDS.toNanos(LIFETIME_MS * 2 / 100));
        liveTokens.remove("token-1");
        call();

        assertEquals(2, exchanges.get());
    }

    @Test
    void aCallRefusedForItsSessionMakesTheNextOneAuthenticateAgain() {
        call();
        liveTokens.clear();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, this::call);
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        call();

        assertEquals(2, exchanges.get());
    }

    @Test
    void aRefusedExchangeFailsTheCallUnauthenticated() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        channel = channelAs("guess");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, this::call);

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertTrue(liveTokens.isEmpty());
    }
}
