package io.ferry.node.internal.sasl;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A plaintext server on a loopback port and a channel to it, for a test of one service or interceptor. */
final class Loopback implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;

    private Loopback(Server server) {
        this.server = server;
        this.channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1",
                        ((InetSocketAddress) server.getListenSockets().get(0)).getPort(),
                        InsecureChannelCredentials.create())
                .build();
    }

    /** Starts a server with what {@code services} adds to it. */
    static Loopback start(UnaryOperator<NettyServerBuilder> services) throws IOException {
        return new Loopback(services.apply(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
                .build()
                .start());
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
