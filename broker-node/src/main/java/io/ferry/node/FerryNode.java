package io.ferry.node;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.NodeKeys;
import io.ferry.node.internal.GrpcEndpoint;
import io.ferry.node.internal.HttpEndpoint;
import io.ferry.node.internal.NodeHealth;
import io.ferry.node.internal.NodeMetrics;
import io.ferry.node.internal.NodeRole;
import io.ferry.node.internal.RoleFactory;
import io.ferry.node.internal.RoleHealth;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.sasl.SaslAuthenticationService;
import io.ferry.node.internal.sasl.SaslSessions;
import io.ferry.node.internal.sasl.ScramCredentials;
import io.ferry.node.internal.sasl.SessionPrincipal;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.UnknownUserCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * A running Ferry node: the roles of {@code process.roles} behind one gRPC port (with health checking
 * and server reflection) and one HTTP port ({@code /metrics}, {@code /health}).
 *
 * <p>Start-up order: HTTP (so {@code /health} answers 503 while starting), each role in
 * {@link ProcessRole} order, then gRPC with the services the roles returned; health turns SERVING
 * when all roles are started and healthy. {@link #close()} reverses it: stop accepting gRPC calls,
 * close roles in reverse order, drain the gRPC server, stop HTTP. {@link #start} and {@link #close}
 * may be called from different threads; {@code close} is idempotent.
 *
 * <p>Every thread of the node, its roles' included, comes from one {@link NodeThreads}, so an
 * {@link Error} on any of them goes to the {@link FatalErrorHandler} the node was started with.
 */
public final class FerryNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FerryNode.class);

    /** How long gRPC calls still in flight after the roles closed may take to finish. */
    static final long GRPC_DRAIN_MILLIS = 5_000;
    /** How often role health is pushed to the gRPC health service. */
    static final long HEALTH_REFRESH_MILLIS = 1_000;
    /**
     * How long closing one role may take before shutdown moves on without it. A controller closes
     * in about a second (Ratis shuts its gRPC server down); the margin covers a loaded machine.
     */
    static final long ROLE_CLOSE_TIMEOUT_MILLIS = 10_000;

    private final NodeConfig config;
    private final NodeMetrics metrics = new NodeMetrics();
    private final List<NodeRole> roles = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final NodeThreads threads;
    private final ScheduledExecutorService healthRefresher;
    /** Runs the gRPC services' calls; its threads report Errors like every other thread of the node. */
    private final ExecutorService grpcExecutor;

    private volatile NodeHealth.State state = NodeHealth.State.STARTING;
    /** The first Error a thread of this node met, described; null while there was none. */
    private final AtomicReference<String> fatalError = new AtomicReference<>();
    /** What the last health refresh found; refreshes run one at a time (the first before the others are scheduled). */
    private boolean servingLastRefresh;

    private volatile HttpEndpoint http;
    private volatile GrpcEndpoint grpc;
    /** The key and certificate of the TLS listeners; empty while not started or when all are plaintext. */
    private volatile Optional<NodeTls> listenerTls = Optional.empty();

    private volatile Optional<NodeTls.Https> httpTls = Optional.empty();

    private boolean closed;

    /** Where password authentication finds users' credentials ({@code SASL_SSL} listeners). */
    private final ScramCredentials scramCredentials;
    /** Ends SASL exchanges that take too long; only on a node with a {@code SASL_SSL} listener. */
    private final Optional<ScheduledExecutorService> saslTimer;

    private final long roleCloseTimeoutMillis;

    private FerryNode(
            NodeConfig config,
            FatalErrorHandler fatalErrors,
            long roleCloseTimeoutMillis,
            Optional<ScramCredentials> scramCredentials) {
        this.config = config;
        this.scramCredentials = scramCredentials.orElse(this::credentialOfRoles);
        this.roleCloseTimeoutMillis = roleCloseTimeoutMillis;
        this.threads = new NodeThreads((thread, error) -> {
            try {
                fatalError.compareAndSet(null, error + " on thread " + thread.getName());
            } finally {
                fatalErrors.onFatalError(thread, error);
            }
        });
        this.healthRefresher = threads.scheduled("ferry-health", 1);
        this.grpcExecutor = threads.cached("ferry-grpc");
        this.saslTimer = config.grpcListenerSasl() || config.grpcExternalListenerSasl()
                ? Optional.of(threads.scheduled("ferry-sasl-timeout", 1))
                : Optional.empty();
    }

    /**
     * Starts a node with the roles of {@code config}, whose fatal errors halt this JVM as they halt a
     * node process ({@link #main}).
     *
     * @throws ConfigException    if a configured role is not available or rejects the configuration
     * @throws NodeStartException if a port cannot be bound or a role fails to start
     */
    public static FerryNode start(NodeConfig config) throws ConfigException, NodeStartException {
        return start(config, new HaltProcess());
    }

    /**
     * Starts a node with the roles of {@code config} that hands an {@link Error} on any of its threads to
     * {@code fatalErrors}, as a test running several nodes in one JVM needs.
     *
     * @throws ConfigException    if a configured role is not available or rejects the configuration
     * @throws NodeStartException if a port cannot be bound or a role fails to start
     */
    public static FerryNode start(NodeConfig config, FatalErrorHandler fatalErrors)
            throws ConfigException, NodeStartException {
        return start(config, new DefaultRoles(), fatalErrors);
    }

    /**
     * Starts a node as {@link #start(NodeConfig, FatalErrorHandler)} does whose {@code SASL_SSL} listeners verify
     * passwords against {@code scramCredentials}.
     *
     * @throws ConfigException    if a configured role is not available or rejects the configuration
     * @throws NodeStartException if a port cannot be bound or a role fails to start
     */
    public static FerryNode start(NodeConfig config, FatalErrorHandler fatalErrors, ScramCredentials scramCredentials)
            throws ConfigException, NodeStartException {
        return start(config, new DefaultRoles(), fatalErrors, ROLE_CLOSE_TIMEOUT_MILLIS, Optional.of(scramCredentials));
    }

    static FerryNode start(NodeConfig config, RoleFactory roleFactory, FatalErrorHandler fatalErrors)
            throws ConfigException, NodeStartException {
        return start(config, roleFactory, fatalErrors, ROLE_CLOSE_TIMEOUT_MILLIS);
    }

    static FerryNode start(
            NodeConfig config, RoleFactory roleFactory, FatalErrorHandler fatalErrors, long roleCloseTimeoutMillis)
            throws ConfigException, NodeStartException {
        return start(config, roleFactory, fatalErrors, roleCloseTimeoutMillis, Optional.empty());
    }

    private static FerryNode start(
            NodeConfig config,
            RoleFactory roleFactory,
            FatalErrorHandler fatalErrors,
            long roleCloseTimeoutMillis,
            Optional<ScramCredentials> scramCredentials)
            throws ConfigException, NodeStartException {
        FerryNode node = new FerryNode(config, fatalErrors, roleCloseTimeoutMillis, scramCredentials);
        try {
            node.startAll(roleFactory);
            return node;
        } catch (ConfigException | NodeStartException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startAll(RoleFactory roleFactory) throws ConfigException, NodeStartException {
        log.info(
                "Starting Ferry node {} with roles {}; settings other than defaults: {}",
                config.nodeId(),
                roleNames(),
                nonDefaultSettings());
        // First, so that an unusable key store stops the start before any role has started.
        if (config.grpcListenerTls() || config.grpcExternalListenerTls()) {
            listenerTls = Optional.of(NodeTls.listeners(config.values(), threads));
        }
        if (config.httpListenerTls()) {
            httpTls = Optional.of(NodeTls.https(config.values(), threads));
        }
        for (ProcessRole role : config.processRoles()) {
            try {
                roles.add(roleFactory.create(role, config, metrics.registry(), threads));
            } catch (ConfigException e) {
                throw e;
            } catch (Exception e) {
                throw new NodeStartException("cannot create the " + role.configName() + " role", e);
            }
        }
        try {
            http = HttpEndpoint.start(config.httpListener(), httpTls, metrics::scrape, this::health, threads);
        } catch (IOException e) {
            throw new NodeStartException("cannot serve HTTP on " + config.httpListener(), e);
        }
        List<ServerServiceDefinition> services = new ArrayList<>();
        for (NodeRole role : roles) {
            try {
                services.addAll(role.start());
            } catch (Exception e) {
                throw new NodeStartException("the " + role.role().configName() + " role failed to start", e);
            }
            log.info("Started the {} role", role.role().configName());
        }
        Optional<SslContext> tls = listenerTls.map(NodeTls::sslContext);
        Optional<GrpcEndpoint.Sasl> sasl = saslTimer.map(this::sasl);
        try {
            grpc = GrpcEndpoint.start(
                    new GrpcEndpoint.Listener(
                            config.grpcListener(),
                            config.grpcListenerTls() ? tls : Optional.empty(),
                            config.grpcListenerSasl() ? sasl : Optional.empty()),
                    config.grpcExternalListener()
                            .map(external -> new GrpcEndpoint.Listener(
                                    external,
                                    config.grpcExternalListenerTls() ? tls : Optional.empty(),
                                    config.grpcExternalListenerSasl() ? sasl : Optional.empty())),
                    services,
                    config.maxRequestBytes(),
                    config.grpcMaxConcurrentCallsPerConnection(),
                    grpcExecutor,
                    roles.stream()
                            .flatMap(role -> role.transportMethods().stream())
                            .collect(Collectors.toUnmodifiableSet()),
                    new CallerPrincipal(config.sslPrincipalMapper()));
        } catch (IOException e) {
            throw new NodeStartException(
                    "cannot serve gRPC on " + config.grpcListener()
                            + config.grpcExternalListener()
                                    .map(external -> " and " + external)
                                    .orElse(""),
                    e);
        }
        for (NodeRole role : roles) {
            role.serving(grpcAddress(), grpc.externalAddress());
        }
        state = NodeHealth.State.RUNNING;
        refreshGrpcHealth();
        healthRefresher.scheduleWithFixedDelay(
                this::refreshGrpcHealth, HEALTH_REFRESH_MILLIS, HEALTH_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        log.info(
                "Ferry node {} started: roles {}, gRPC on {}{}, HTTP on {}",
                config.nodeId(),
                roleNames(),
                hostPort(grpcAddress()),
                config.grpcListenerTls() ? " (TLS)" : "",
                hostPort(httpAddress()));
    }

    /** A user's credential as this node's roles know it: a broker's metadata view holds every user's. */
    private Optional<ScramCredential> credentialOfRoles(String user, ScramMechanism mechanism) {
        for (NodeRole role : roles) {
            Optional<ScramCredential> credential = role.scramCredential(user, mechanism);
            if (credential.isPresent()) {
                return credential;
            }
        }
        return Optional.empty();
    }

    /** Password authentication for the {@code SASL_SSL} listeners, which share one set of sessions. */
    private GrpcEndpoint.Sasl sasl(ScheduledExecutorService timer) {
        SaslSessions sessions = new SaslSessions(config.connectionsMaxReauthMs(), System::nanoTime);
        Gauge.builder("ferry.sasl.sessions", sessions, SaslSessions::size)
                .description("Password sessions the SASL_SSL listeners hold, live or expired and not yet dropped")
                .register(metrics.registry());
        return new GrpcEndpoint.Sasl(
                new SaslAuthenticationService(
                        scramCredentials,
                        sessions,
                        config.saslEnabledMechanisms(),
                        UnknownUserCredentials.withRandomSecret(),
                        timer,
                        SaslAuthenticationService.EXCHANGE_TIMEOUT_MILLIS),
                new SessionPrincipal(sessions));
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** Pushes health to gRPC and logs each change, with the reasons when it turned unhealthy. */
    private void refreshGrpcHealth() {
        try {
            NodeHealth now = health();
            grpc.setServing(now.isHealthy());
            if (now.isHealthy() != servingLastRefresh) {
                servingLastRefresh = now.isHealthy();
                if (now.isHealthy()) {
                    log.info("Ferry node {} is healthy: SERVING", config.nodeId());
                } else {
                    log.warn(
                            "Ferry node {} is unhealthy: NOT_SERVING {}",
                            config.nodeId(),
                            now.toJson().strip());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Health refresh failed", e);
        }
    }

    private String nonDefaultSettings() {
        List<String> settings = new ArrayList<>();
        for (ConfigKey<?> key : NodeKeys.DEFINITION.keys()) {
            if (config.values().origin(key).kind() != ConfigOrigin.Kind.DEFAULT) {
                settings.add(key.name() + "=" + formatted(key) + " ("
                        + config.values().origin(key) + ")");
            }
        }
        return String.join(", ", settings);
    }

    private <T> String formatted(ConfigKey<T> key) {
        return key.type().format(config.values().get(key));
    }

    private String roleNames() {
        return config.processRoles().stream().map(ProcessRole::configName).collect(Collectors.joining(","));
    }

    /** The bound gRPC address (the real port when the configured one was 0). */
    public InetSocketAddress grpcAddress() {
        return grpc.address();
    }

    /** The bound HTTP address (the real port when the configured one was 0). */
    public InetSocketAddress httpAddress() {
        return http.address();
    }

    /** The registry behind {@code /metrics}. */
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /**
     * Running, no thread met an Error, and every role healthy; what {@code /health} and gRPC health report.
     * Thread-safe.
     */
    public boolean isHealthy() {
        return health().isHealthy();
    }

    NodeHealth health() {
        Map<String, RoleHealth> roleHealth = new LinkedHashMap<>();
        NodeHealth.State current = state;
        for (ProcessRole role : config.processRoles()) {
            roleHealth.put(
                    role.configName(),
                    current == NodeHealth.State.RUNNING
                            ? roleHealth(role)
                            : RoleHealth.down("the node is " + current.name().toLowerCase(Locale.ROOT)));
        }
        return new NodeHealth(current, Optional.ofNullable(fatalError.get()), roleHealth);
    }

    private RoleHealth roleHealth(ProcessRole role) {
        // roles is complete before the HTTP server or the health refresher can call this.
        for (NodeRole r : roles) {
            if (r.role() == role) {
                return r.health();
            }
        }
        return RoleHealth.down("the role was not created");
    }

    private void prepareStopWithin(NodeRole role, long timeoutMillis) {
        runWithin(
                role,
                "prepare-stop",
                () -> {
                    role.prepareStop();
                    log.info("Prepared the {} role to stop", role.role().configName());
                },
                timeoutMillis);
    }

    private void closeWithin(NodeRole role, long timeoutMillis) {
        runWithin(
                role,
                "close",
                () -> {
                    role.close();
                    log.info("Closed the {} role", role.role().configName());
                },
                timeoutMillis);
    }

    /**
     * Runs one shutdown step of a role on its own thread and waits at most {@code timeoutMillis}, so
     * that one role that hangs cannot keep the process from stopping. A step left running runs on a
     * daemon thread.
     */
    private void runWithin(NodeRole role, String step, Runnable action, long timeoutMillis) {
        String name = role.role().configName();
        Thread closer = threads.named("ferry-" + step + "-" + name).newThread(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn("The {} role failed to {}", name, step, e);
            }
        });
        closer.start();
        try {
            closer.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("The {} role did not {} within {} ms; stopping without it", name, step, timeoutMillis);
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops the node in bounded time: each role gets {@link #ROLE_CLOSE_TIMEOUT_MILLIS}, gRPC calls
     * in flight get {@link #GRPC_DRAIN_MILLIS}. Errors are logged, not thrown, so every step runs.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        log.info("Stopping Ferry node {}", config.nodeId());
        state = NodeHealth.State.STOPPING;
        healthRefresher.shutdownNow();
        saslTimer.ifPresent(ScheduledExecutorService::shutdownNow);
        if (grpc != null) {
            for (int i = roles.size() - 1; i >= 0; i--) {
                prepareStopWithin(roles.get(i), roleCloseTimeoutMillis);
            }
            grpc.stopAccepting();
        }
        for (int i = roles.size() - 1; i >= 0; i--) {
            closeWithin(roles.get(i), roleCloseTimeoutMillis);
        }
        if (grpc != null) {
            try {
                grpc.awaitStop(GRPC_DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Every call has ended or was cancelled: nothing is left for these threads but to end.
        grpcExecutor.shutdown();
        listenerTls.ifPresent(NodeTls::close);
        httpTls.ifPresent(NodeTls.Https::close);
        if (http != null) {
            http.close();
        }
        metrics.close();
        state = NodeHealth.State.STOPPED;
        log.info("Ferry node {} stopped", config.nodeId());
        stopped.countDown();
    }

    /**
     * Runs a node until SIGTERM/SIGINT. Exit status: 2 for an invalid configuration, 1 when start-up
     * fails, 3 when a thread of the running node met an {@link Error} ({@link HaltProcess}; the JVM's
     * {@code -XX:+ExitOnOutOfMemoryError}, which the launch scripts set, exits with 3 as well); on a
     * signal the JVM exits with 128 + the signal number (143 for SIGTERM) after the node has stopped.
     */
    public static void main(String[] args) {
        main(args, new DefaultRoles());
    }

    /** {@link #main} with the given roles. */
    static void main(String[] args, RoleFactory roles) {
        FatalErrorHandler halt = new HaltProcess();
        // The threads the node does not make itself (gRPC client callbacks, the JDK's) get the same policy.
        Thread.setDefaultUncaughtExceptionHandler(new NodeThreads(halt::onFatalError).uncaughtExceptionHandler());
        int status = run(args, roles, System.getenv(), halt);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The command line with the given roles, environment and fatal-error policy; returns the exit status. */
    static int run(String[] args, RoleFactory roles, Map<String, String> environment, FatalErrorHandler fatalErrors) {
        return new CommandLine(new NodeCommand(roles, environment, fatalErrors)).execute(args);
    }
}
