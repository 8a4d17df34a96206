package io.ferry.node.internal.tls;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigValues;
import io.ferry.config.NodeKeys;
import io.ferry.controller.RaftTls;
import io.ferry.node.internal.threads.NodeThreads;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;

/**
 * One side of a node's TLS, with the thread that keeps its credentials current:
 *
 * <ul>
 *   <li>{@link #listeners}: the gRPC listeners whose security protocol is {@code SSL} present the key and
 *       certificate chain of {@code ssl.keystore.location}, and, as {@code ssl.client.auth} says, ask the
 *       client for a certificate that chains to a CA of {@code ssl.truststore.location};
 *   <li>{@link #connections}: a broker's connections to other nodes' {@code grpc.listener} (replica fetch,
 *       ListOffsets, the controllers) present the same key store's certificate, so that they pass a listener
 *       that requires client certificates, and accept a peer whose certificate chains to a CA of
 *       {@code ssl.truststore.location} (the JDK's CAs when it is not set) and names the host connected to;
 *   <li>{@link #raft}: both, for mutual TLS on a controller's Raft port and its connections to the other
 *       controllers (Ratis builds its own contexts from the two managers, with the JDK's TLS versions, which
 *       are TLSv1.3 and TLSv1.2).
 * </ul>
 *
 * <p>The first two speak the TLS versions of {@code ssl.enabled.protocols}. All read their files again every
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

    /** Builds what a TLS side uses; the reads it schedules run on {@code reloads}. */
    @FunctionalInterface
    private interface Setup<T> {
        T build(ScheduledExecutorService reloads) throws ConfigException, IOException, GeneralSecurityException;
    }

    /** Runs {@code setup} with a reload thread of its own, which {@code finish} gets to stop later. */
    private static <T, R> R start(
            NodeThreads threads, String thread, Setup<T> setup, BiFunction<T, ScheduledExecutorService, R> finish)
            throws ConfigException {
        ScheduledExecutorService reloads = threads.scheduled(thread, 1);
        try {
            return finish.apply(setup.build(reloads), reloads);
        } catch (IOException | GeneralSecurityException e) {
            reloads.shutdownNow();
            throw new IllegalStateException("cannot set up TLS", e);
        } catch (ConfigException | RuntimeException e) {
            reloads.shutdownNow();
            throw e;
        }
    }

    /**
     * The TLS of the listeners: reads {@code ssl.keystore.location}, which must be set, and with
     * {@code ssl.client.auth} other than {@code none} {@code ssl.truststore.location} when it is set.
     *
     * @throws ConfigException naming the key whose file does not read or holds nothing usable
     */
    public static NodeTls listeners(ConfigValues config, NodeThreads threads) throws ConfigException {
        ClientAuth clientAuth = clientAuth(config.get(NodeKeys.SSL_CLIENT_AUTH));
        return start(
                threads,
                "ferry-tls-keystore-reload",
                reloads -> {
                    SslContextBuilder builder = GrpcSslContexts.configure(
                                    SslContextBuilder.forServer(keyManager(config, reloads)))
                            .protocols(config.get(NodeKeys.SSL_ENABLED_PROTOCOLS))
                            .clientAuth(clientAuth);
                    if (clientAuth != ClientAuth.NONE) {
                        // A client certificate names no host to check: the chain to a trusted CA is the proof.
                        builder.trustManager(trustManager(
                                config,
                                reloads,
                                AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION));
                    }
                    return builder.build();
                },
                NodeTls::new);
    }

    /**
     * The TLS of the HTTP port ({@code http.listener.security.protocol=SSL}), for the JDK's HTTPS server: the key
     * store's certificate, reloaded as the listeners' is, and no client certificates asked for.
     *
     * @throws ConfigException naming the key whose file does not read or holds nothing usable
     */
    public static Https https(ConfigValues config, NodeThreads threads) throws ConfigException {
        return start(
                threads,
                "ferry-tls-http-reload",
                reloads -> {
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(new KeyManager[] {keyManager(config, reloads)}, null, null);
                    return context;
                },
                (context, reloads) -> new Https(context, config.get(NodeKeys.SSL_ENABLED_PROTOCOLS), reloads));
    }

    /**
     * What the HTTPS port speaks: its context and the TLS versions of {@code ssl.enabled.protocols}. Closing it
     * stops the reloads.
     */
    public record Https(SSLContext context, List<String> protocols, ScheduledExecutorService reloads)
            implements AutoCloseable {
        @Override
        public void close() {
            reloads.shutdownNow();
        }
    }

    /**
     * The TLS of the Kafka listener ({@code kafka.listeners=SSL://}), for its Netty server (plain Netty, not
     * gRPC's relocated copy, so a JDK context): the key store's certificate, and with {@code ssl.client.auth}
     * other than {@code none} trust in {@code ssl.truststore.location} for client certificates, both reloaded
     * as the gRPC listeners' are.
     *
     * @throws ConfigException naming the key whose file does not read or holds nothing usable
     */
    public static KafkaTls kafka(ConfigValues config, NodeThreads threads) throws ConfigException {
        String clientAuth = config.get(NodeKeys.SSL_CLIENT_AUTH);
        return start(
                threads,
                "ferry-tls-kafka-reload",
                reloads -> {
                    SSLContext context = SSLContext.getInstance("TLS");
                    TrustManager[] trust = clientAuth.equals("none")
                            ? null
                            : new TrustManager[] {
                                trustManager(
                                        config,
                                        reloads,
                                        AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                            };
                    context.init(new KeyManager[] {keyManager(config, reloads)}, trust, null);
                    return context;
                },
                (context, reloads) ->
                        new KafkaTls(context, config.get(NodeKeys.SSL_ENABLED_PROTOCOLS), clientAuth, reloads));
    }

    /**
     * What the Kafka listener speaks: its context, the TLS versions of {@code ssl.enabled.protocols} and
     * {@code ssl.client.auth}. Closing it stops the reloads.
     */
    public record KafkaTls(
            SSLContext context, List<String> protocols, String clientAuth, ScheduledExecutorService reloads)
            implements AutoCloseable {

        /** The server side of one new connection. */
        public SSLEngine newEngine() {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            engine.setEnabledProtocols(protocols.toArray(String[]::new));
            switch (clientAuth) {
                case "required" -> engine.setNeedClientAuth(true);
                case "requested" -> engine.setWantClientAuth(true);
                default -> engine.setNeedClientAuth(false);
            }
            return engine;
        }

        @Override
        public void close() {
            reloads.shutdownNow();
        }
    }

    /** Kafka's {@code ssl.client.auth} values as Netty's. */
    private static ClientAuth clientAuth(String sslClientAuth) {
        return switch (sslClientAuth) {
            case "required" -> ClientAuth.REQUIRE;
            case "requested" -> ClientAuth.OPTIONAL;
            default -> ClientAuth.NONE;
        };
    }

    /**
     * The TLS of connections to other nodes: reads {@code ssl.keystore.location}, which must be set, and
     * {@code ssl.truststore.location} when it is set.
     *
     * @throws ConfigException naming the key whose file does not read or holds nothing usable
     */
    public static NodeTls connections(ConfigValues config, NodeThreads threads) throws ConfigException {
        return start(
                threads,
                "ferry-tls-truststore-reload",
                reloads -> GrpcSslContexts.forClient()
                        .keyManager(keyManager(config, reloads))
                        .trustManager(trustManager(
                                config,
                                reloads,
                                AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION))
                        .protocols(config.get(NodeKeys.SSL_ENABLED_PROTOCOLS))
                        .build(),
                NodeTls::new);
    }

    /**
     * The mutual TLS of a controller's Raft port ({@code controller.quorum.security.protocol=SSL}): the key
     * store's certificate for both sides of every Raft connection, and the trust store's CAs to accept a
     * peer. Closing it stops the reloads.
     *
     * @throws ConfigException naming the key whose file does not read or holds nothing usable
     */
    public static Raft raft(ConfigValues config, NodeThreads threads) throws ConfigException {
        return start(
                threads,
                "ferry-tls-raft-reload",
                reloads -> new RaftTls(
                        keyManager(config, reloads),
                        trustManager(
                                config,
                                reloads,
                                AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)),
                Raft::new);
    }

    /** {@link RaftTls} with the thread that keeps its credentials current. */
    public record Raft(RaftTls tls, ScheduledExecutorService reloads) implements AutoCloseable {
        @Override
        public void close() {
            reloads.shutdownNow();
        }
    }

    /** The key and certificate chain of {@code ssl.keystore.location}, read again when the file changes. */
    private static AdvancedTlsX509KeyManager keyManager(ConfigValues config, ScheduledExecutorService reloads)
            throws ConfigException {
        AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
        ReloadingFile.watch(
                config,
                NodeKeys.SSL_KEYSTORE_LOCATION,
                content -> {
                    Pem.KeyAndChain identity = Pem.keyAndChain(content);
                    keyManager.updateIdentityCredentials(identity.chain(), identity.key());
                },
                reloads);
        return keyManager;
    }

    /**
     * Trust in the CAs of {@code ssl.truststore.location} (read again when the file changes), or the JDK's
     * when it is not set; with {@code CERTIFICATE_AND_HOST_NAME_VERIFICATION}, a server's certificate must also
     * name the host connected to.
     */
    private static AdvancedTlsX509TrustManager trustManager(
            ConfigValues config,
            ScheduledExecutorService reloads,
            AdvancedTlsX509TrustManager.Verification verification)
            throws ConfigException, IOException, GeneralSecurityException {
        AdvancedTlsX509TrustManager trustManager = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(verification)
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
        return trustManager;
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
