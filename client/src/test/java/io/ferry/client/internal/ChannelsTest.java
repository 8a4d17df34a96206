package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Server;
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
        try (Channels channels = new Channels(1 << 20, InsecureChannelCredentials.create(), Optional.empty())) {
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
}
