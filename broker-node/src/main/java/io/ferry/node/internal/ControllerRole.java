package io.ferry.node.internal;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.config.NodeKeys;
import io.ferry.config.QuorumVoter;
import io.ferry.controller.ControllerConfig;
import io.ferry.controller.ControllerNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.ProcessRole;
import io.ferry.node.internal.broker.authz.AuthorizationDenials;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.security.Principal;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller role: a {@link ControllerNode} (Ratis member on its own Raft port, active controller
 * while it leads) whose controller gRPC service is served on the node's gRPC port. Healthy while its
 * Raft server runs and knows a quorum leader, that is, while the quorum can decide.
 */
public final class ControllerRole implements NodeRole {

    /** Sub-directory of {@code metadata.log.dir}; Kafka's name, never a {@code <topic>-<partition>} directory. */
    static final String METADATA_SUBDIR = "__cluster_metadata";

    private static final Logger log = LoggerFactory.getLogger(ControllerRole.class);

    private final ControllerConfig config;
    private final MeterRegistry registry;
    private final Optional<Authorization> authorization;
    private final InstantSource clock;
    private final NodeThreads threads;
    /** Mutual TLS of the Raft port, when {@code controller.quorum.security.protocol} is SSL. */
    private final Optional<NodeTls.Raft> raftTls;

    private volatile ControllerNode controller;

    /**
     * @param threads where the controller's threads report an Error
     * @throws ConfigException if the node's configuration does not make a valid controller
     */
    public ControllerRole(NodeConfig config, MeterRegistry registry, InstantSource clock, NodeThreads threads)
            throws ConfigException {
        this.config = controllerConfig(config);
        this.registry = registry;
        this.authorization = config.authorizerEnabled()
                ? Optional.of(new Authorization(config.superUsers(), config.allowEveryoneIfNoAclFound()))
                : Optional.empty();
        this.clock = clock;
        this.threads = threads;
        this.raftTls =
                config.controllerQuorumTls() ? Optional.of(NodeTls.raft(config.values(), threads)) : Optional.empty();
    }

    /** Maps the node's keys to the controller's settings. */
    static ControllerConfig controllerConfig(NodeConfig node) throws ConfigException {
        Map<Integer, String> voters = new LinkedHashMap<>();
        for (QuorumVoter voter : node.controllerQuorumVoters()) {
            voters.put(voter.nodeId(), voter.address().toString());
        }
        Path metadataDir = node.metadataLogDir().resolve(METADATA_SUBDIR);
        long electionMs = node.controllerQuorumElectionTimeout().toMillis();
        try {
            return new ControllerConfig(
                    node.nodeId(),
                    voters,
                    metadataDir,
                    node.brokerSessionTimeout().toMillis(),
                    node.brokerLivenessProbeAfter().toMillis(),
                    electionMs,
                    2 * electionMs,
                    node.uncleanLeaderElectionEnable(),
                    node.autoLeaderRebalanceEnable(),
                    node.leaderImbalanceCheckInterval().toMillis(),
                    ControllerConfig.DEFAULT_SNAPSHOT_THRESHOLD,
                    node.metadataMaxIdleInterval().toMillis(),
                    node.requestTimeout().toMillis(),
                    ControllerConfig.DEFAULT_IDEMPOTENCY_KEY_RETENTION_MS,
                    ControllerConfig.DEFAULT_IDEMPOTENCY_KEY_MAX_COUNT);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(
                    NodeKeys.CONTROLLER_QUORUM_VOTERS.name(),
                    node.values().origin(NodeKeys.CONTROLLER_QUORUM_VOTERS),
                    "not a valid controller configuration: " + e.getMessage()));
        }
    }

    @Override
    public ProcessRole role() {
        return ProcessRole.CONTROLLER;
    }

    /**
     * Fails with an exception when the Raft address cannot be bound. Ratis itself answers a failed
     * bind with {@code System.exit(1)} (its {@code ExitUtils.terminate}), which would kill the node
     * without a clean stop and any JVM hosting it in-process. A probe cannot close the race with
     * another process binding the port in between, but it turns the common mistake (port taken)
     * into an ordinary start-up error.
     */
    @Override
    public List<ServerServiceDefinition> start() throws IOException {
        probeBind(config.raftHost(), config.raftPort());
        ControllerNode started = ControllerNode.start(
                config, raftTls.map(NodeTls.Raft::tls), registry, clock, threads.uncaughtExceptionHandler());
        controller = started;
        ServerServiceDefinition service = started.grpcService().bindService();
        return List.of(authorization.isPresent() ? ServerInterceptors.intercept(service, gate(started)) : service);
    }

    /** CLUSTER_ACTION on the cluster for every call, over this controller's own ACLs. */
    private ClusterActionGate gate(ControllerNode started) {
        Authorization settings = authorization.orElseThrow();
        return new ClusterActionGate(BrokerAuthorizer.overAcls(
                started::metadataVersion,
                started::acls,
                settings.superUsers(),
                settings.allowEveryoneIfNoAclFound(),
                new AuthorizationDenials(
                        registry,
                        new RefusalLog(AuthorizationDenials.LOG_INTERVAL_NANOS, System::nanoTime),
                        log::warn)));
    }

    /** The node's authorizer settings, when {@code authorizer.class.name} is set. */
    private record Authorization(Set<Principal> superUsers, boolean allowEveryoneIfNoAclFound) {}

    private static void probeBind(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IOException(
                    "cannot bind the controller's Raft address " + host + ":" + port
                            + " (its entry in controller.quorum.voters): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public RoleHealth health() {
        ControllerNode c = controller;
        if (c == null) {
            return RoleHealth.down("the controller has not started");
        }
        if (!c.isRunning()) {
            return RoleHealth.down("the controller's Raft server is not running");
        }
        if (c.leaderId() < 0) {
            return RoleHealth.down("no quorum leader is known: a majority of controller.quorum.voters "
                    + new TreeSet<>(config.voters().keySet()) + " must be running and reach each other");
        }
        return RoleHealth.UP;
    }

    /**
     * Stops this controller. When it is the active controller, leadership is handed to another
     * voter first, so the quorum serves again within a Raft round instead of an election timeout.
     */
    @Override
    public void close() {
        ControllerNode c = controller;
        if (c != null) {
            c.handOffLeadership();
            c.close();
        }
        raftTls.ifPresent(NodeTls.Raft::close);
    }
}
