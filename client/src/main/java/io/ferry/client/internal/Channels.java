package io.ferry.client.internal;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.util.List;
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

    /** The header a call's client id travels in. */
    public static final String CLIENT_ID_HEADER = "ferry-client-id";

    /** Longest client id brokers accept. */
    public static final int MAX_CLIENT_ID_LENGTH = 1024;

    private final ConcurrentMap<InetSocketAddress, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxInboundMessageBytes;
    private final ChannelCredentials credentials;
    private final List<ClientInterceptor> interceptors;
    private final Optional<SaslLogin> login;

    /**
     * @param maxInboundMessageBytes largest response accepted, e.g. above fetch.max.bytes
     * @param credentials            plaintext or TLS, for every broker
     * @param clientId               {@code client.id}, sent with every call in the {@value #CLIENT_ID_HEADER}
     *                               header (brokers keep quotas per client id); "" sends none
     * @param login                  with {@code security.protocol=SASL_SSL}: whom each channel authenticates as
     * @throws IllegalArgumentException if the client id is not printable ASCII of at most
     *     {@value #MAX_CLIENT_ID_LENGTH} characters
     */
    public Channels(
            int maxInboundMessageBytes, ChannelCredentials credentials, String clientId, Optional<SaslLogin> login) {
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.credentials = credentials;
        this.login = login;
        if (clientId.length() > MAX_CLIENT_ID_LENGTH || !clientId.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            // A header carries printable ASCII only; brokers refuse a longer client id.
            throw new IllegalArgumentException("client.id must be at most " + MAX_CLIENT_ID_LENGTH
                    + " printable ASCII characters, got " + clientId.length() + " characters");
        }
        if (clientId.isEmpty()) {
            this.interceptors = List.of();
        } else {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of(CLIENT_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER), clientId);
            this.interceptors = List.of(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
    }

    /** The channel to {@code address}; with a login, one that authenticates before its first call. */
    public ManagedChannel get(InetSocketAddress address) {
        return channels.computeIfAbsent(address, a -> {
            ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(
                            a.getHostString(), a.getPort(), credentials)
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .directExecutor()
                    .intercept(interceptors);
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
