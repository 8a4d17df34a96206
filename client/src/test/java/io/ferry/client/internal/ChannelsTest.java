package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChannelsTest {

    /** Answers every Metadata call with an empty response. */
    private static final class EmptyMetadata extends BrokerServiceGrpc.BrokerServiceImplBase {
        @Override
        public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> observer) {
            observer.onNext(MetadataResponse.getDefaultInstance());
            observer.onCompleted();
        }
    }

    @Test
    void responsesAreDeliveredWithoutAHopThroughGrpcsDefaultExecutor() throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new EmptyMetadata())
                .build()
                .start();
        try (Channels channels = new Channels(1 << 20, InsecureChannelCredentials.create(), "", Optional.empty())) {
            InetSocketAddress address = new InetSocketAddress(
                    "127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort());
            CompletableFuture<String> callbackThread = new CompletableFuture<>();
            BrokerServiceGrpc.newStub(channels.get(address))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .metadata(MetadataRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(MetadataResponse value) {
                            callbackThread.complete(Thread.currentThread().getName());
                        }

                        @Override
                        public void onError(Throwable t) {
                            callbackThread.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
            String thread = callbackThread.get(10, TimeUnit.SECONDS);
            // grpc-java's default executor names its threads grpc-default-executor-N; the transport's
            // event loop threads are named after the event loop group instead.
            assertFalse(thread.startsWith("grpc-default-executor"), "callback ran on " + thread);
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyCallCarriesTheClientIdHeaderAndABadClientIdIsRefusedUpFront() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        Metadata.Key<String> header = Metadata.Key.of(Channels.CLIENT_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
        ServerInterceptor recording = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                    ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
                received.complete(String.valueOf(headers.get(header)));
                return next.startCall(call, headers);
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new EmptyMetadata(), recording))
                .build()
                .start();
        try (Channels channels =
                new Channels(1 << 20, InsecureChannelCredentials.create(), "billing-app", Optional.empty())) {
            InetSocketAddress address = new InetSocketAddress(
                    "127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort());
            BrokerServiceGrpc.newBlockingStub(channels.get(address))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .metadata(MetadataRequest.getDefaultInstance());
            assertEquals("billing-app", received.get(10, TimeUnit.SECONDS));
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new Channels(1 << 20, InsecureChannelCredentials.create(), "x".repeat(1025), Optional.empty()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Channels(1 << 20, InsecureChannelCredentials.create(), "caf\u00e9", Optional.empty()));
    }
}
