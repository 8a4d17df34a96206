package io.ferry.client.internal;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per broker address, created on first use and shared by every call to that broker.
 *
 * <p>Callbacks run on the transport thread that read the message ({@code directExecutor}): every
 * observer in this client only hands the message on (completes a future, queues an event for the
 * sender thread, swaps the metadata view) and never blocks. gRPC's default executor would add a
 * thread hop to each response, which on a busy machine costs scheduling delay on every fetch and
 * every produce acknowledgement, straight into produce-to-consume latency.
 *
 * <p>Thread-safe.
 */
public final class Channels implements AutoCloseable {

    private final ConcurrentMap<InetSocketAddress, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxInboundMessageBytes;
    private final ChannelCredentials credentials;
    private final Optional<SaslLogin> login;

    /**
     * @param maxInboundMessageBytes largest response accepted, e.g. above fetch.max.bytes
     * @param credentials            plaintext or TLS, for every broker
     * @param login                  with {@code security.protocol=SASL_SSL}: whom each channel authenticates as
     */
    public Channels(int maxInboundMessageBytes, ChannelCredentials credentials, Optional<SaslLogin> login) {
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.credentials = credentials;
        this.login = login;
    }

    /** The channel to {@code address}; with a login, one that authenticates before its first call. */
    public ManagedChannel get(InetSocketAddress address) {
        return channels.computeIfAbsent(address, a -> {
            ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(
                            a.getHostString(), a.getPort(), credentials)
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .directExecutor();
            login.ifPresent(user -> builder.intercept(new SaslAuthenticator(user, System::nanoTime)));
            return builder.build();
        });
    }

    @Override
    public void close() {
        // shutdown() first lets messages already written (acks=0 requests) leave before the sockets close.
        channels.values().forEach(ManagedChannel::shutdown);
        try {
            for (ManagedChannel channel : channels.values()) {
                if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                    channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channels.values().forEach(ManagedChannel::shutdownNow);
        }
        channels.clear();
    }
}
