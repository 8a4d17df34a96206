package io.ferry.controller;

import io.ferry.controller.internal.ActiveController;
import io.ferry.controller.internal.ControllerGrpcService;
import io.ferry.controller.internal.ControllerStateMachine;
import io.ferry.controller.internal.MetadataLongPolls;
import io.ferry.controller.internal.MetadataState;
import io.ferry.controller.internal.RaftCommandProposer;
import io.ferry.controller.internal.RequestRouter;
import io.ferry.controller.internal.TcpListenerProbe;
import io.ferry.proto.v1.AccessControlEntryRecord;
import io.ferry.proto.v1.AclBinding;
import io.grpc.BindableService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;

/**
 * One controller node: a member of the Ratis group that replicates the cluster metadata, the
 * active controller while it is the Raft leader, and the controller gRPC service.
 *
 * <p>The node serves {@link #grpcService()} on whatever gRPC server the process runs; Ratis
 * listens on its own port, this node's address in {@link ControllerConfig#voters()}.
 *
 * <p>An {@link Error} on any of the node's threads, in a state machine callback or in a request's
 * handling goes to the {@code fatalErrors} handler given at start (the process's: it ends the process);
 * other failures are answered or logged where they happen.
 *
 * <p>Thread-safe. Metrics (registered on the given registry): {@code ferry.controller.active}
 * (1 on the active controller), {@code ferry.controller.raft.term}, {@code
 * ferry.controller.raft.leader} (node id, -1 unknown), {@code ferry.controller.metadata.version},
 * {@code ferry.controller.offline.partitions}, {@code ferry.controller.fenced.brokers}, {@code
 * ferry.controller.registered.brokers} and the counter {@code ferry.controller.leader.elections}
 * (partition leader changes committed by this node's active controller).
 */
public final class ControllerNode implements AutoCloseable {
    /** The most ISR changes one AlterPartition request may carry; a broker splits larger batches. */
    public static final int MAX_ISR_CHANGES_PER_REQUEST = 10_000;

    /**
     * All controller groups share one id: the metadata directory holds exactly this group, and Ratis
     * loads every group directory it finds there at start.
     */
    private static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("ferry-controller".getBytes(StandardCharsets.UTF_8)));
    /** How many recent metadata records a controller keeps for incremental fetches. */
    private static final int MAX_RECENT_RECORDS = 50_000;

    private static final int MAX_CLIENT_ATTEMPTS = 20;
    private static final long CLIENT_RETRY_SLEEP_MS = 100;

    /** A broker probe that takes longer than this proves nothing (a dead process's port refuses at once). */
    private static final int PROBE_CONNECT_TIMEOUT_MS = 1_000;

    private final ControllerConfig config;
    private final InstantSource clock;
    private final Thread.UncaughtExceptionHandler fatalErrors;
    private final MetadataState state = new MetadataState(MAX_RECENT_RECORDS);
    private final RaftServer server;
    private final RaftClient client;
    private final ExecutorService leadership;
    private final Counter leaderElections;
    private final ControllerGrpcService service;
    private final ControllerStateMachine stateMachine;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private final ClientId handOffClientId = ClientId.randomId();
    private final AtomicLong handOffCallIds = new AtomicLong();
    private final TcpListenerProbe brokerProbe = new TcpListenerProbe(PROBE_CONNECT_TIMEOUT_MS);
    private final MetadataLongPolls metadataPolls;
    /** Written only on the {@link #leadership} thread. */
    private volatile ActiveController active;

    private ControllerNode(
            ControllerConfig config,
            Optional<RaftTls> tls,
            MeterRegistry registry,
            InstantSource clock,
            Thread.UncaughtExceptionHandler fatalErrors)
            throws IOException {
        this.config = config;
        this.clock = clock;
        this.fatalErrors = fatalErrors;
        this.registry = registry;
        this.leaderElections = Counter.builder("ferry.controller.leader.elections")
                .description("Partition leader changes committed by this node's active controller")
                .register(registry);
        meters.add(leaderElections);
        this.leadership = Executors.newSingleThreadExecutor(
                daemon("ferry-controller-leadership-" + config.nodeId(), fatalErrors));
        this.metadataPolls = new MetadataLongPolls(
                state::version,
                Executors.newSingleThreadScheduledExecutor(
                        daemon("ferry-controller-metadata-polls-" + config.nodeId(), fatalErrors)));
        this.stateMachine = new ControllerStateMachine(
                state,
                new ControllerStateMachine.LeadershipListener() {
                    @Override
                    public void leaderReady() {
                        leadership.execute(ControllerNode.this::becomeActive);
                    }

                    @Override
                    public void notLeader() {
                        leadership.execute(ControllerNode.this::resign);
                    }
                },
                metadataPolls::versionApplied,
                fatalErrors);
        RaftGroup group = group(config);
        Path raftDir = config.metadataDir().resolve("raft");
        try {
            Files.createDirectories(raftDir);
            this.server = RaftServer.newBuilder()
                    .setServerId(peerId(config.nodeId()))
                    .setGroup(group)
                    .setProperties(serverProperties(config, raftDir))
                    .setParameters(raftParameters(tls))
                    .setStateMachine(stateMachine)
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
        } catch (IOException | RuntimeException e) {
            leadership.shutdownNow();
            metadataPolls.close();
            registry.remove(leaderElections);
            throw new IOException(
                    "controller " + config.nodeId() + " could not use " + raftDir + ": " + e.getMessage(), e);
        }
        RaftProperties clientProperties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                clientProperties, TimeDuration.valueOf(config.requestTimeoutMs(), TimeUnit.MILLISECONDS));
        this.client = RaftClient.newBuilder()
                .setProperties(clientProperties)
                .setParameters(raftParameters(tls))
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        MAX_CLIENT_ATTEMPTS, TimeDuration.valueOf(CLIENT_RETRY_SLEEP_MS, TimeUnit.MILLISECONDS)))
                .build();
        RequestRouter router = new RequestRouter(() -> active, client);
        this.service = new ControllerGrpcService(
                config.nodeId(), config.voters(), this::leaderId, state, metadataPolls, router, fatalErrors);
    }

    /**
     * Starts the node: recovers the metadata from the last snapshot and the Raft log in {@link
     * ControllerConfig#metadataDir()}, joins the quorum and starts serving.
     *
     * @param tls mutual TLS on the Raft port when present (every voter must then use it)
     * @param clock source of wall-clock time for broker session expiry
     * @param fatalErrors gets every {@link Error} thrown on the node's threads and callbacks
     * @throws IOException when the metadata directory cannot be used or the Raft port cannot be bound
     */
    public static ControllerNode start(
            ControllerConfig config,
            Optional<RaftTls> tls,
            MeterRegistry registry,
            InstantSource clock,
            Thread.UncaughtExceptionHandler fatalErrors)
            throws IOException {
        ControllerNode node = new ControllerNode(config, tls, registry, clock, fatalErrors);
        try {
            node.server.start();
        } catch (IOException | CompletionException e) {
            node.close();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException(
                    "controller " + config.nodeId() + " could not start its Raft server on "
                            + config.voters().get(config.nodeId()) + " with " + config.metadataDir() + ": "
                            + cause.getMessage(),
                    cause);
        }
        node.registerGauges();
        return node;
    }

    private static RaftGroup group(ControllerConfig config) {
        List<RaftPeer> peers = new ArrayList<>();
        for (Map.Entry<Integer, String> voter : config.voters().entrySet()) {
            peers.add(RaftPeer.newBuilder()
                    .setId(peerId(voter.getKey()))
                    .setAddress(voter.getValue())
                    .build());
        }
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    /**
     * Ratis's TLS settings for its server, for its connections to the other controllers and for this node's
     * own Raft client: the same mutual TLS everywhere, or none.
     */
    private static Parameters raftParameters(Optional<RaftTls> tls) {
        Parameters parameters = new Parameters();
        tls.ifPresent(t -> {
            GrpcTlsConfig conf = new GrpcTlsConfig(t.keyManager(), t.trustManager(), true);
            GrpcConfigKeys.Server.setTlsConf(parameters, conf);
            GrpcConfigKeys.Client.setTlsConf(parameters, conf);
            GrpcConfigKeys.Admin.setTlsConf(parameters, conf);
        });
        return parameters;
    }

    private static RaftProperties serverProperties(ControllerConfig config, Path raftDir) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(p, config.raftHost());
        GrpcConfigKeys.Server.setPort(p, config.raftPort());
        RaftServerConfigKeys.Rpc.setTimeoutMin(
                p, TimeDuration.valueOf(config.electionTimeoutMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(
                p, TimeDuration.valueOf(config.electionTimeoutMaxMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        return p;
    }

    private static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    private static ThreadFactory daemon(String name, Thread.UncaughtExceptionHandler fatalErrors) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(fatalErrors);
            return t;
        };
    }

    /** Runs on the leadership thread. */
    private void becomeActive() {
        resign();
        DivisionInfo info = division();
        if (info == null || !info.isLeader()) {
            return;
        }
        ActiveController c = ActiveController.start(
                info.getCurrentTerm(),
                state,
                new RaftCommandProposer(server, peerId(config.nodeId()), GROUP_ID),
                clock,
                config,
                leaderElections,
                brokerProbe,
                fatalErrors);
        // Forwarded requests find it before this node reports itself active.
        stateMachine.setActiveHandler(c::handle);
        active = c;
    }

    /** Runs on the leadership thread. */
    private void resign() {
        ActiveController c = active;
        if (c != null) {
            stateMachine.setActiveHandler(null);
            active = null;
            c.close();
        }
    }

    private DivisionInfo division() {
        try {
            return server.getDivision(GROUP_ID).getInfo();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void registerGauges() {
        meters.add(Gauge.builder("ferry.controller.active", this, n -> n.isActive() ? 1 : 0)
                .description("1 while this node is the active controller")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder("ferry.controller.raft.term", this, n -> {
                    DivisionInfo i = n.division();
                    return i == null ? 0 : i.getCurrentTerm();
                })
                .description("Current Raft term of the controller quorum as this node sees it")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder("ferry.controller.raft.leader", this, ControllerNode::leaderId)
                .description("Node id of the Raft leader, -1 when unknown")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder("ferry.controller.raft.applied.index", this, ControllerNode::raftAppliedIndex)
                .description("Index of the last Raft log entry this node has applied (Kafka's "
                        + "last-applied-record-offset)")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder("ferry.controller.metadata.version", state, MetadataState::version)
                .description("Version of the metadata this node has applied")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder("ferry.controller.offline.partitions", state, MetadataState::offlinePartitionCount)
                .description("Partitions without a leader")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder(
                        "ferry.controller.fenced.brokers",
                        state,
                        s -> s.brokers().stream().filter(b -> b.getFenced()).count())
                .description("Registered brokers that are fenced")
                .strongReference(true)
                .register(registry));
        meters.add(Gauge.builder(
                        "ferry.controller.registered.brokers",
                        state,
                        s -> s.brokers().size())
                .description("Registered brokers")
                .strongReference(true)
                .register(registry));
    }

    /** The controller gRPC service; add it to the node's gRPC server. */
    public BindableService grpcService() {
        return service;
    }

    /** Whether this node is the Raft leader and runs the active controller. */
    public boolean isActive() {
        DivisionInfo info = division();
        return active != null && info != null && info.isLeader() && info.isLeaderReady();
    }

    public int nodeId() {
        return config.nodeId();
    }

    /**
     * Whether this node's Raft server runs: false once it is closing or closed, which Ratis also does by
     * itself after its state machine failed.
     */
    public boolean isRunning() {
        DivisionInfo info = division();
        return info != null && info.isAlive();
    }

    /** The Raft leader's node id as this node knows it; -1 when unknown. */
    public int leaderId() {
        DivisionInfo info = division();
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        if (leader == null) {
            return -1;
        }
        try {
            return Integer.parseInt(leader.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * If this node is the Raft leader, asks another controller to take over and waits until one has,
     * so a planned shutdown does not leave the quorum waiting out an election timeout. Call it before
     * {@link #close()} on a graceful stop; {@code close()} alone behaves like a crash to the others.
     * Each candidate gets twice the maximum election timeout.
     *
     * @return true when another node leads now, false when this node was not the leader or no other
     *     node took over
     */
    public boolean handOffLeadership() {
        DivisionInfo info = division();
        if (info == null || !info.isLeader()) {
            return false;
        }
        long timeoutMs = 2 * config.electionTimeoutMaxMs();
        for (int candidate : config.voters().keySet()) {
            if (candidate == config.nodeId()) {
                continue;
            }
            TransferLeadershipRequest request = new TransferLeadershipRequest(
                    handOffClientId,
                    peerId(config.nodeId()),
                    GROUP_ID,
                    handOffCallIds.incrementAndGet(),
                    peerId(candidate),
                    timeoutMs);
            try {
                RaftClientReply reply =
                        server.transferLeadershipAsync(request).get(2 * timeoutMs, TimeUnit.MILLISECONDS);
                if (reply.isSuccess()) {
                    return true;
                }
            } catch (IOException | ExecutionException | TimeoutException e) {
                // That candidate could not take over (down or behind): try the next one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Every ACL of the metadata this node has applied, for authorizing the calls it serves. */
    public List<AclBinding> acls() {
        return state.acls().stream().map(AccessControlEntryRecord::getBinding).toList();
    }

    /** The metadata version this node has applied. */
    public long metadataVersion() {
        return state.version();
    }

    /**
     * The index of the last Raft log entry this node has applied: it moves with every entry, also the active
     * controller's empty ones ({@code metadata.max.idle.interval.ms}), which leave the metadata version alone.
     */
    public long raftAppliedIndex() {
        return stateMachine.getLastAppliedTermIndex().getIndex();
    }

    /**
     * Leaves the quorum (as far as this process is concerned) and stops. Ratis closes first: its
     * close fires the not-leader callback, which still needs the executors.
     */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            // Closing anyway; nothing else can be done with a server that fails to close.
        }
        leadership.execute(this::resign);
        leadership.shutdown();
        try {
            leadership.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            client.close();
        } catch (IOException e) {
            // The client only holds connections; nothing to recover.
        }
        brokerProbe.close();
        metadataPolls.close();
        meters.forEach(registry::remove);
    }
}
