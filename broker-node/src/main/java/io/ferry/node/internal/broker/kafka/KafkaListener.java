package io.ferry.node.internal.broker.kafka;

import io.ferry.config.HostPort;
import io.ferry.node.internal.broker.handler.BrokerGrpcService;
import io.ferry.node.internal.broker.handler.GroupGrpcService;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.caller.RefusalLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * The port that speaks Kafka's binary protocol ({@code kafka.listeners}): a Netty server whose connections
 * each run a {@link KafkaConnection} behind a frame decoder that refuses any frame longer than the largest
 * request the broker takes, before reading it, and for {@code SSL://} behind TLS (a plaintext client fails the
 * handshake and is closed). Serves the broker's own services ({@link KafkaApis}).
 */
public final class KafkaListener implements AutoCloseable {

    /** The name of the endpoint a broker registers for this listener, which Kafka's Metadata answers list. */
    public static final String ENDPOINT = "kafka";

    /** The least time between two log lines about connections this listener closed. */
    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Network threads; the handlers only hand work over, as on the gRPC port's event loops. */
    private static final int THREADS = 2;

    private final EventLoopGroup group;
    private final Channel server;

    private KafkaListener(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Binds {@code address} and serves.
     *
     * @param brokerId        this broker's id, which Kafka's clients are told is the controller (any broker forwards)
     * @param broker          the broker's services, which the Kafka APIs are translated onto
     * @param groups          the consumer group services, likewise
     * @param metadata        the broker's metadata view: the Kafka listeners of the other brokers
     * @param maxRequestBytes the longest request frame read; a longer one closes its connection unread
     * @param sessionTimeouts the session timeouts a classic member may ask for
     * @param tls             for {@code SSL://}: the server side of each new connection's TLS
     * @param principals      who a TLS client with a certificate is ({@code ssl.principal.mapping.rules})
     * @param sasl            for {@code SASL_SSL://}: what authenticates each connection's client
     * @param threads         makes the network threads
     * @throws IOException if the address cannot be bound
     */
    public static KafkaListener start(
            HostPort address,
            int brokerId,
            BrokerGrpcService broker,
            GroupGrpcService groups,
            Supplier<BrokerMetadata> metadata,
            int maxRequestBytes,
            ClassicSessionTimeouts sessionTimeouts,
            Optional<Supplier<SSLEngine>> tls,
            CallerPrincipal principals,
            Optional<KafkaSasl.Settings> sasl,
            ThreadFactory threads)
            throws IOException {
        KafkaApis apis = new KafkaApis(brokerId, broker, groups, metadata, sessionTimeouts);
        RefusalLog refusals = new RefusalLog(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(THREADS, threads, NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        tls.ifPresent(engines -> channel.pipeline().addLast(new SslHandler(engines.get())));
                        channel.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(maxRequestBytes, 0, 4, 0, 4))
                                .addLast(new KafkaConnection(
                                        apis,
                                        refusals,
                                        principals,
                                        sasl.map(KafkaSasl::new).orElse(null)));
                    }
                })
                .bind(new InetSocketAddress(address.host(), address.port()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException(
                    "cannot bind the Kafka listener to " + address + ": "
                            + bound.cause().getMessage(),
                    bound.cause());
        }
        return new KafkaListener(group, bound.channel());
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Stops accepting, closes every connection and waits briefly for the network threads to end. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
