package io.ferry.node.internal.tls;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigValues;
import io.ferry.config.NodeKeys;
import io.ferry.node.internal.threads.NodeThreads;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One side of a node's TLS, with the thread that keeps its credentials current:
 *
 * <ul>
 *   <li>{@link #listeners}: the gRPC listeners whose security protocol is {@code SSL} present the key and
 *       certificate chain of {@code ssl.keystore.location};
 *   <li>{@link #connections}: a broker's connections to other nodes' {@code grpc.listener} (replica fetch,
 *       ListOffsets, the controllers) accept a peer whose certificate chains to a CA of
 *       {@code ssl.truststore.location} (the JDK's CAs when it is not set) and names the host connected to.
 * </ul>
 *
 * <p>Both speak the TLS versions of {@code ssl.enabled.protocols}, and read their file again every
 * {@code ssl.reload.interval.ms}: when it changed, new connections use the new credentials, established
 * ones keep theirs. Thread-safe.
 */
public final class NodeTls implements AutoCloseable {

    private final SslContext sslContext;
    private final ScheduledExecutorService reloads;

    private NodeTls(SslContext sslContext, ScheduledExecutorService reloads) {
        this.sslContext = sslContext;
        this.reloads = reloads;
    }

    /** Builds the context; the reads it schedules run on {@code reloads}. */
    @FunctionalInterface
    private interface Setup {
        SslContext build(ScheduledExecutorService reloads)
                throws ConfigException, IOException, GeneralSecurityException;
    }

    private static NodeTls start(NodeThreads threads, String thread, Setup setup) throws ConfigException {
        ScheduledExecutorService reloads = threads.scheduled(thread, 1);
        try {
            return new NodeTls(setup.build(reloads), reloads);
        } catch (IOException | GeneralSecurityException e) {
            reloads.shutdownNow();
            throw new IllegalStateException("cannot set up TLS", e);
        } catch (ConfigException | RuntimeException e) {
            reloads.shutdownNow();
            throw e;
        }
    }

    /**
     * The TLS of the listeners: reads {@code ssl.keystore.location}, which must be set.
     *
     * @throws ConfigException naming {@code ssl.keystore.location} when its file does not read or holds no
     *                         usable key and certificate chain
     */
    public static NodeTls listeners(ConfigValues config, NodeThreads threads) throws ConfigException {
        return start(threads, "ferry-tls-keystore-reload", reloads -> {
            AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
            ReloadingFile.watch(
                    config,
                    NodeKeys.SSL_KEYSTORE_LOCATION,
                    content -> {
                        Pem.KeyAndChain identity = Pem.keyAndChain(content);
                        keyManager.updateIdentityCredentials(identity.chain(), identity.key());
                    },
                    reloads);
            return GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager))
                    .protocols(config.get(NodeKeys.SSL_ENABLED_PROTOCOLS))
                    .build();
        });
    }

    /**
     * The TLS of connections to other nodes: reads {@code ssl.truststore.location} when it is set.
     *
     * @throws ConfigException naming {@code ssl.truststore.location} when its file does not read or holds no
     *                         certificate
     */
    public static NodeTls connections(ConfigValues config, NodeThreads threads) throws ConfigException {
        return start(threads, "ferry-tls-truststore-reload", reloads -> {
            AdvancedTlsX509TrustManager trustManager = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                    .build();
            if (config.get(NodeKeys.SSL_TRUSTSTORE_LOCATION).isEmpty()) {
                trustManager.useSystemDefaultTrustCerts();
            } else {
                ReloadingFile.watch(
                        config,
                        NodeKeys.SSL_TRUSTSTORE_LOCATION,
                        content -> trustManager.updateTrustCredentials(Pem.certificates(content)),
                        reloads);
            }
            return GrpcSslContexts.forClient()
                    .trustManager(trustManager)
                    .protocols(config.get(NodeKeys.SSL_ENABLED_PROTOCOLS))
                    .build();
        });
    }

    /** For a listener: each connection it accepts takes the current credentials ({@link TlsOnlyNegotiator}). */
    public SslContext sslContext() {
        return sslContext;
    }

    /**
     * A channel builder to another node's {@code grpc.listener}: TLS with the trust of {@code connections}
     * (a {@link #connections} TLS) when present, plaintext otherwise.
     */
    public static NettyChannelBuilder channelTo(String host, int port, Optional<NodeTls> connections) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port);
        return connections.isPresent() ? builder.sslContext(connections.get().sslContext) : builder.usePlaintext();
    }

    @Override
    public void close() {
        reloads.shutdownNow();
    }
}
