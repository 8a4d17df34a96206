package io.ferry.node.internal;

import io.ferry.config.HostPort;
import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.sasl.SaslAuthenticationService;
import io.ferry.node.internal.sasl.SessionPrincipal;
import io.ferry.node.internal.tls.TlsOnlyNegotiator;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The node's gRPC port (and the optional external one, which serves the same services; see
 * {@link CallerListener}): the roles' services plus standard health checking
 * ({@code grpc.health.v1.Health}) and server reflection ({@code grpc.reflection.v1}, and
 * {@code v1alpha} for older clients). Health starts
 * NOT_SERVING for the whole server ({@code ""}) and for each role service; {@link #setServing}
 * flips them together.
 */
public final class GrpcEndpoint {

    private final Server server;
    /** The same services on {@code grpc.external.listener}, if configured; its calls are marked external. */
    private final Optional<Server> externalServer;

    private final HealthStatusManager health;
    private final List<String> serviceNames;

    private GrpcEndpoint(
            Server server, Optional<Server> externalServer, HealthStatusManager health, List<String> serviceNames) {
        this.server = server;
        this.externalServer = externalServer;
        this.health = health;
        this.serviceNames = serviceNames;
    }

    /**
     * An address to serve on, with TLS when {@code tls} is present (a plaintext connection is then refused), and
     * SASL authentication when {@code sasl} is (a {@code SASL_SSL} listener, always with TLS).
     */
    public record Listener(HostPort address, Optional<SslContext> tls, Optional<Sasl> sasl) {

        public Listener {
            if (sasl.isPresent() && tls.isEmpty()) {
                throw new IllegalArgumentException("SASL is accepted only over TLS, and " + address + " has none");
            }
        }

        /** A listener without SASL. */
        public Listener(HostPort address, Optional<SslContext> tls) {
            this(address, tls, Optional.empty());
        }
    }

    /**
     * What a {@code SASL_SSL} listener adds: the service clients authenticate with, and the interceptor that
     * requires each other call to carry a session (or a certificate).
     */
    public record Sasl(SaslAuthenticationService service, SessionPrincipal sessions) {}

    /**
     * Binds and starts the server, and a second one on {@code external} when given.
     *
     * @param external               an address for clients outside the brokers' network
     * @param maxInboundMessageBytes larger requests fail with RESOURCE_EXHAUSTED before they are read
     * @param maxCallsPerConnection  calls one connection may have open at once (HTTP/2
     *                               MAX_CONCURRENT_STREAMS): a client opens more only as earlier ones end
     * @param executor               runs the services' calls (owned and shut down by the caller), except those of
     *                               {@code transportMethods}
     * @param transportMethods       full names of the methods whose handlers never block (they answer at once or
     *                               hand the work over and answer from a callback): their calls run on the
     *                               transport's thread that read them, sparing each a wake-up of an executor thread
     * @param principals             names each connection's caller (mutual TLS), for {@link CallerPrincipal#current}
     *
     * @throws IOException if an address cannot be bound
     */
    public static GrpcEndpoint start(
            Listener listener,
            Optional<Listener> external,
            List<ServerServiceDefinition> services,
            int maxInboundMessageBytes,
            int maxCallsPerConnection,
            Executor executor,
            Set<String> transportMethods,
            CallerPrincipal principals)
            throws IOException {
        Limits limits = new Limits(maxInboundMessageBytes, maxCallsPerConnection, principals);
        ExecutorByMethod executors = new ExecutorByMethod(executor, transportMethods);
        HealthStatusManager health = new HealthStatusManager();
        List<String> names =
                services.stream().map(s -> s.getServiceDescriptor().getName()).toList();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        names.forEach(n -> health.setStatus(n, ServingStatus.NOT_SERVING));
        Server server = build(listener, services, health, limits, executors, Optional.empty())
                .start();
        try {
            Optional<Server> externalServer = external.isEmpty()
                    ? Optional.empty()
                    : Optional.of(build(
                                    external.get(),
                                    services,
                                    health,
                                    limits,
                                    executors,
                                    Optional.of(CallerListener.EXTERNAL))
                            .start());
            return new GrpcEndpoint(server, externalServer, health, names);
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
    }

    /** What both servers share besides their services. */
    private record Limits(int maxInboundMessageBytes, int maxCallsPerConnection, CallerPrincipal principals) {}

    /**
     * Where a call runs. The server's own executor is direct, so every call starts on the transport's thread
     * that read it; there, before anything of the call runs, this moves it to {@code executor} unless its
     * method is one of {@code transportMethods}. (The other way round, an executor for the server and direct
     * for some methods, would still wake an executor thread to look each call's method up.)
     */
    private record ExecutorByMethod(Executor executor, Set<String> transportMethods)
            implements ServerCallExecutorSupplier {

        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            return transportMethods.contains(call.getMethodDescriptor().getFullMethodName()) ? null : executor;
        }
    }

    private static Server build(
            Listener listener,
            List<ServerServiceDefinition> services,
            HealthStatusManager health,
            Limits limits,
            ExecutorByMethod executors,
            Optional<CallerListener> marker)
            throws IOException {
        NettyServerBuilder builder =
                NettyServerBuilder.forAddress(listener.address().resolveForBind());
        // Interceptors run in the reverse order of their installation: the session check after the others.
        listener.sasl().ifPresent(sasl -> builder.intercept(sasl.sessions()).addService(sasl.service()));
        builder.directExecutor()
                .callExecutor(executors)
                .maxInboundMessageSize(limits.maxInboundMessageBytes())
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                .addTransportFilter(CallerConnection.INSTANCE)
                .intercept(CallerConnection.INSTANCE)
                .addTransportFilter(limits.principals())
                .intercept(limits.principals())
                .intercept(CallerClientId.INSTANCE)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        marker.ifPresent(builder::intercept);
        listener.tls().ifPresent(tls -> builder.protocolNegotiator(new TlsOnlyNegotiator(tls)));
        services.forEach(service -> builder.addService(MalformedRequests.answeredClearly(service)));
        return builder.build();
    }

    /**
     * Reflection under its pre-1.0 name ({@code grpc.reflection.v1alpha}): older grpcurl releases and
     * several GUI clients only speak this one. grpc-java deprecates the class, not the protocol.
     */
    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService legacyReflection() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    /** The bound address (the real port when the configured one was 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    /** The bound external address, if there is an external listener. */
    public Optional<InetSocketAddress> externalAddress() {
        return externalServer.map(
                external -> (InetSocketAddress) external.getListenSockets().get(0));
    }

    /** Thread-safe. */
    public void setServing(boolean serving) {
        ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        serviceNames.forEach(n -> health.setStatus(n, status));
    }

    /** Reports NOT_SERVING for good and stops accepting new calls; calls in flight continue. */
    public void stopAccepting() {
        health.enterTerminalState();
        server.shutdown();
        externalServer.ifPresent(Server::shutdown);
    }

    /** Waits up to {@code timeoutMillis} for calls in flight, then cancels the rest. */
    public void awaitStop(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        List<Server> servers = new ArrayList<>(List.of(server));
        externalServer.ifPresent(servers::add);
        servers.forEach(Server::shutdown);
        for (Server s : servers) {
            if (!s.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                s.shutdownNow();
                s.awaitTermination(1, TimeUnit.SECONDS);
            }
        }
    }
}
