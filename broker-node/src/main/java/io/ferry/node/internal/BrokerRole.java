package io.ferry.node.internal;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.config.HostPort;
import io.ferry.config.NodeKeys;
import io.ferry.config.QuorumVoter;
import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupConfig;
import io.ferry.group.OffsetConfig;
import io.ferry.node.NodeConfig;
import io.ferry.node.ProcessRole;
import io.ferry.node.internal.broker.authz.AuthorizationDenials;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.controller.BrokerLifecycle;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.node.internal.broker.group.ClusterTopics;
import io.ferry.node.internal.broker.group.GroupCoordinatorRuntime;
import io.ferry.node.internal.broker.group.GroupTopics;
import io.ferry.node.internal.broker.group.OffsetsTopicCreation;
import io.ferry.node.internal.broker.handler.BrokerGrpcService;
import io.ferry.node.internal.broker.handler.GroupGrpcService;
import io.ferry.node.internal.broker.kafka.ClassicSessionTimeouts;
import io.ferry.node.internal.broker.kafka.KafkaListener;
import io.ferry.node.internal.broker.kafka.KafkaSasl;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.MemoryBudget;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.metrics.CleanerMetrics;
import io.ferry.node.internal.broker.metrics.GroupLagGauges;
import io.ferry.node.internal.broker.metrics.GroupLagMetrics;
import io.ferry.node.internal.broker.metrics.ReplicationMetrics;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.node.internal.broker.quota.ClientThrottle;
import io.ferry.node.internal.broker.quota.RequestTimeQuota;
import io.ferry.node.internal.broker.records.RecordGrpcService;
import io.ferry.node.internal.broker.replica.ControllerIsrChannel;
import io.ferry.node.internal.broker.replica.GrpcLeaderClient;
import io.ferry.node.internal.broker.replica.LeaderEndOffsets;
import io.ferry.node.internal.broker.replica.PartitionReconciler;
import io.ferry.node.internal.broker.topic.TopicAdmission;
import io.ferry.node.internal.broker.topic.TopicConfigs;
import io.ferry.node.internal.broker.topic.TopicOverrides;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.replication.ExecutorTimer;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.Timer;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.UnknownUserCredentials;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogManager;
import io.ferry.storage.LogManagerConfig;
import io.ferry.storage.TopicPartition;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker role: the partition logs of {@code log.dirs} ({@link LogManager}), their replica state
 * ({@link ReplicaManager}, which fetches followed partitions from their leaders through
 * {@link GrpcLeaderClient} and sends ISR changes through {@link ControllerIsrChannel}), the session with the controllers ({@link BrokerLifecycle}), the
 * consumer group coordinators of the {@code __consumer_offsets} partitions it leads
 * ({@link GroupCoordinatorRuntime}) with their lag metrics ({@link GroupLagMetrics}), and the client services ({@link BrokerGrpcService},
 * {@link GroupGrpcService}) on the node's gRPC port. Healthy while registered, unfenced, with
 * a metadata view current within {@code broker.metadata.max.staleness.ms}, its session threads
 * running and no failed log directory ({@link BrokerHealth}).
 *
 * <p>Start-up opens and recovers the logs; registration begins when the node's gRPC port is bound
 * ({@link #serving}), since the broker announces that port. At shutdown, {@link #prepareStop} runs a
 * controlled shutdown while clients can still reach the broker; {@link #close} then answers waiting
 * requests and closes the logs cleanly.
 */
public final class BrokerRole implements NodeRole {

    private static final Logger log = LoggerFactory.getLogger(BrokerRole.class);

    /** Longest time controlled shutdown may take; within the node's per-role bound. */
    static final long CONTROLLED_SHUTDOWN_MILLIS = 5_000;

    /** Threads the group coordinators share (Kafka's {@code group.coordinator.threads} default). */
    static final int GROUP_COORDINATOR_THREADS = 4;

    private final NodeConfig config;
    private final MeterRegistry registry;
    private final InstantSource clock;
    private final NodeThreads threads;
    private final LogManagerConfig logManagerConfig;
    /** Runs the log manager's retention, flushes, checkpoints and delayed file deletion. */
    private final ScheduledExecutorService scheduler;
    /** The delayed-request timer's own thread, so retention or checkpoints never delay a timeout. */
    private final ScheduledExecutorService timer;
    /** Run the group coordinators' operations, each coordinator's one at a time. */
    private final ExecutorService groupThreads;
    /** Times the group coordinators' member expiry and load checks. */
    private final ScheduledExecutorService groupTimer;
    /** Sends the responses held back from clients over their quotas, and nothing else. */
    private final ScheduledExecutorService quotaThrottle;

    private final TopicConfigs topicConfigs;
    /** The way to the controllers, connected when the node serves. */
    private final ControllerGateway controllers;
    /** TLS of the connections to other brokers and to the controllers, when {@code grpc.listener} is SSL. */
    private final Optional<NodeTls> connectionTls;
    /** The session with the controllers, started when the node serves. */
    private final BrokerLifecycle lifecycle;

    private volatile LogManager logManager;
    private volatile ReplicaManager replicaManager;
    private volatile BrokerMetrics metrics;
    private volatile ReplicationMetrics replicationMetrics;
    private volatile CleanerMetrics cleanerMetrics;
    private volatile GrpcLeaderClient leaderClient;
    private volatile BrokerChannels recordPeers;
    /** The port that speaks Kafka's protocol, when {@code kafka.listeners} names one. */
    private volatile KafkaListener kafkaListener;
    /** TLS of the Kafka listener, when {@code kafka.listeners} is {@code SSL://}. */
    private final Optional<NodeTls.KafkaTls> kafkaTls;
    /** Creates {@code __consumer_offsets} at the first FindCoordinator or group stream that needs it. */
    private OffsetsTopicCreation offsetsTopic;

    private volatile GroupCoordinatorRuntime groups;
    private volatile GroupLagMetrics groupLag;
    /** Owned by the lifecycle's metadata thread: the view the partitions were last reconciled with. */
    private BrokerMetadata reconciled = BrokerMetadata.EMPTY;
    /** Owned by the lifecycle's metadata thread; set with the replica manager. */
    private PartitionReconciler reconciler;
    /**
     * The newest view, published to topic configs as soon as its application starts: the logs the
     * application creates must get the overrides of topics that only this view has.
     */
    private volatile BrokerMetadata newest = BrokerMetadata.EMPTY;

    private boolean firstView = true;

    /**
     * @param threads makes every thread of the broker, so an Error on one ends the node
     * @throws ConfigException if a broker-only node names no controller to register with
     */
    public BrokerRole(NodeConfig config, MeterRegistry registry, InstantSource clock, NodeThreads threads)
            throws ConfigException {
        this(config, registry, clock, threads, UnaryOperator.identity());
    }

    /**
     * A broker whose metadata application runs through {@code metadataApplication}, so a test can hold it
     * up or make it fail as a stuck or failing metadata thread would.
     *
     * @param metadataApplication given the application of one view, returns what the metadata thread runs instead
     * @throws ConfigException if a broker-only node names no controller to register with
     */
    public BrokerRole(
            NodeConfig config,
            MeterRegistry registry,
            InstantSource clock,
            NodeThreads threads,
            UnaryOperator<Consumer<BrokerMetadata>> metadataApplication)
            throws ConfigException {
        if (!config.hasRole(ProcessRole.CONTROLLER)
                && config.controllerQuorumBootstrapServers().isEmpty()) {
            throw new ConfigException(new ConfigProblem(
                    NodeKeys.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS.name(),
                    config.values().origin(NodeKeys.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS),
                    "a broker-only node must name the gRPC address (host:port) of at least one controller"));
        }
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        this.threads = threads;
        this.scheduler = threads.scheduled("ferry-broker-scheduler", 2);
        this.timer = threads.scheduled("ferry-broker-timer", 1);
        this.groupThreads = threads.fixed("ferry-group-coordinator", GROUP_COORDINATOR_THREADS);
        this.groupTimer = threads.scheduled("ferry-group-timer", 1);
        this.quotaThrottle = threads.scheduled("ferry-quota-throttle", 1);
        this.logManagerConfig = logManagerConfig(config);
        this.topicConfigs =
                new TopicConfigs(logManagerConfig.defaultLogConfig(), config.minInsyncReplicas(), () -> newest);
        this.connectionTls = config.grpcListenerTls()
                ? Optional.of(NodeTls.connections(config.values(), threads))
                : Optional.empty();
        this.controllers = new ControllerGateway(threads, connectionTls);
        this.kafkaTls =
                config.kafkaListenerTls() ? Optional.of(NodeTls.kafka(config.values(), threads)) : Optional.empty();
        this.lifecycle = new BrokerLifecycle(
                config.nodeId(),
                controllers,
                config.controllerQuorumVoters().stream()
                        .map(QuorumVoter::nodeId)
                        .collect(Collectors.toUnmodifiableSet()),
                config.brokerHeartbeatInterval().toMillis(),
                config.requestTimeout().toMillis(),
                metadataApplication.apply(this::apply),
                threads,
                clock);
    }

    /** The log manager's settings: the node's, with the log cleaner's. */
    static LogManagerConfig logManagerConfig(NodeConfig config) {
        long flushMs = config.logFlushInterval().toMillis();
        return new LogManagerConfig(
                config.logDirs(),
                defaultLogConfig(config),
                config.logRetentionCheckInterval().toMillis(),
                flushMs == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, Math.min(1_000, flushMs)),
                LogManagerConfig.DEFAULT_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
                LogManagerConfig.DEFAULT_RECOVERY_THREADS_PER_DATA_DIR,
                config.cleaner(),
                config.values().get(NodeKeys.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS),
                config.values().get(NodeKeys.LOG_SEGMENT_MAPPING_IDLE_MS));
    }

    /** The settings of a log whose topic overrides nothing: the node's, topic keys from their server defaults. */
    static LogConfig defaultLogConfig(NodeConfig config) {
        LogConfig.Builder log = LogConfig.builder()
                .flushIntervalMessages(config.logFlushIntervalMessages())
                .flushIntervalMs(config.logFlushInterval().toMillis())
                .indexIntervalBytes(config.logIndexIntervalBytes())
                .segmentIndexBytes(config.logIndexSizeMaxBytes())
                .producerIdExpirationMs(config.values().get(NodeKeys.PRODUCER_ID_EXPIRATION_MS))
                .maxProducerIds(config.values().get(NodeKeys.MAX_PRODUCER_IDS_PER_PARTITION));
        return TopicOverrides.withServerDefaults(log, config.values()).build();
    }

    @Override
    public ProcessRole role() {
        return ProcessRole.BROKER;
    }

    @Override
    public List<ServerServiceDefinition> start() throws IOException {
        LogManager logs = LogManager.start(
                logManagerConfig,
                topicConfigs::logConfig,
                clock,
                scheduler,
                LogManager.RetentionStart.HELD,
                threads.numbered("ferry-log-flusher"),
                threads.numbered("ferry-log-cleaner", config.logCleanerNiceness()));
        logManager = logs;
        replicationMetrics = new ReplicationMetrics(registry);
        cleanerMetrics = new CleanerMetrics(registry, logs::cleanerStats, logs::dirtyRatio);
        // Room for a full answer plus one batch at the largest size a leader accepts.
        leaderClient = new GrpcLeaderClient(
                lifecycle::metadata,
                (int) Math.min(
                        Integer.MAX_VALUE,
                        (long) config.replication().fetchMaxBytes() + config.messageMaxBytes() + (1 << 20)),
                connectionTls,
                lifecycle::reportUnreachable);
        ControllerIsrChannel isrChannel = new ControllerIsrChannel(
                config.nodeId(),
                lifecycle::incarnationId,
                controllers,
                config.requestTimeout().toMillis());
        Timer delays = new ExecutorTimer(timer);
        ReplicaManager replicas = new ReplicaManager(
                config.nodeId(),
                new ReplicaLogs() {
                    @Override
                    public ReplicaLog open(TopicPartition tp) {
                        Log log = logs.getOrCreateLog(tp, topicConfigs.logConfig(tp.topic()));
                        return ReplicaLog.of(log, failure -> logs.markFailed(log, failure));
                    }

                    @Override
                    public void delete(TopicPartition tp) {
                        logs.deleteLog(tp);
                    }
                },
                topicConfigs::minInsyncReplicas,
                config.replication(),
                new ReplicaManager.Environment(
                        delays, clock, leaderClient, isrChannel, replicationMetrics, threads::single));
        replicaManager = replicas;
        reconciler = new PartitionReconciler(config.nodeId(), replicas);
        metrics = new BrokerMetrics(registry, replicas);
        FetchMemory fetchMemory = new FetchMemory(
                new MemoryBudget(
                        config.fetchResponseQueuedMaxBytes(),
                        config.fetchResponseQueuedMaxBytesPerConnection(),
                        delays),
                new MemoryBudget(
                        config.fetchPurgatoryMaxBytes(), config.fetchPurgatoryMaxBytesPerConnection(), delays));
        metrics.watch(fetchMemory);
        BrokerAuthorizer authorizer = authorizer();
        ClientThrottle throttle = new ClientThrottle(
                config.quotaWindowNum(),
                config.quotaWindowSize().toMillis(),
                () -> lifecycle.metadata().clientQuotas(),
                clock::millis,
                quotaThrottle,
                registry);
        BrokerGrpcService service = new BrokerGrpcService(
                replicas,
                lifecycle,
                controllers,
                metrics,
                config.requestTimeout().toMillis(),
                new BrokerGrpcService.FetchLimits(
                        config.fetchMaxBytes(), config.replication().fetchMaxBytes()),
                fetchMemory,
                new TopicAdmission(config.numPartitions(), config.defaultReplicationFactor(), topicConfigs),
                authorizer,
                throttle);
        GroupGrpcService groupService = groupService(logs, replicas, authorizer);
        if (config.kafkaListener().isPresent()) {
            kafkaListener = KafkaListener.start(
                    config.kafkaListener().get(),
                    config.nodeId(),
                    service,
                    groupService,
                    lifecycle::metadata,
                    config.maxRequestBytes(),
                    new ClassicSessionTimeouts(config.groupMinSessionTimeoutMs(), config.groupMaxSessionTimeoutMs()),
                    kafkaTls.map(tls -> tls::newEngine),
                    new CallerPrincipal(config.sslPrincipalMapper()),
                    config.kafkaListenerSasl()
                            ? Optional.of(new KafkaSasl.Settings(
                                    (user, mechanism) -> lifecycle.metadata().scramCredential(user, mechanism),
                                    config.saslEnabledMechanisms(),
                                    UnknownUserCredentials.withRandomSecret(),
                                    config.connectionsMaxReauthMs()))
                            : Optional.empty(),
                    threads.numbered("ferry-kafka-network"));
            log.info(
                    "Broker {} speaks Kafka's protocol on {}{}",
                    config.nodeId(),
                    kafkaListener.boundAddress(),
                    config.kafkaListenerTls() ? " (TLS)" : "");
        }
        recordPeers = new BrokerChannels(
                lifecycle::metadata,
                (int) Math.min(Integer.MAX_VALUE, (long) config.fetchMaxBytes() + config.messageMaxBytes() + (1 << 20)),
                connectionTls);
        RecordGrpcService recordService = new RecordGrpcService(
                replicas,
                lifecycle::metadata,
                recordPeers,
                authorizer,
                metrics,
                new RecordGrpcService.Publishing(config.nodeId(), topicConfigs, throttle),
                new RecordGrpcService.Limits(
                        config.requestTimeout().toMillis(), config.fetchMaxBytes(), config.messageMaxBytes()),
                fetchMemory,
                new RecordGrpcService.Grouping(offsetsTopic, groupTimer));
        log.info(
                "Broker {} opened {} partition logs in {}",
                config.nodeId(),
                logs.allLogs().size(),
                config.logDirs());
        // Produce and Fetch count their own thread time; replication is never throttled.
        RequestTimeQuota requestTime = new RequestTimeQuota(
                throttle,
                Set.of(
                        BrokerServiceGrpc.getProduceMethod().getFullMethodName(),
                        BrokerServiceGrpc.getProduceStreamMethod().getFullMethodName(),
                        BrokerServiceGrpc.getFetchMethod().getFullMethodName(),
                        BrokerServiceGrpc.getReplicaFetchMethod().getFullMethodName()));
        return List.of(
                ServerInterceptors.intercept(service.bindService(), requestTime),
                ServerInterceptors.intercept(groupService.bindService(), requestTime),
                // RecordService counts its own: Publish with its byte rate; a Subscribe stream is not a request.
                recordService.bindService());
    }

    /**
     * The calls that only hand their work over: the follower's fetch (answered at once, or long-polled by the
     * replica manager) and the group calls (queued on their coordinator). Every acks=all write and offset commit
     * waits for a fetch from each follower, so a hand-off spared there is spared on each one's path.
     */
    @Override
    public Set<String> transportMethods() {
        return Set.of(
                BrokerServiceGrpc.getReplicaFetchMethod().getFullMethodName(),
                GroupServiceGrpc.getConsumerGroupHeartbeatMethod().getFullMethodName(),
                GroupServiceGrpc.getOffsetCommitMethod().getFullMethodName(),
                GroupServiceGrpc.getOffsetFetchMethod().getFullMethodName());
    }

    /** The broker's one authorizer, over the ACLs of its metadata view when {@code authorizer.class.name} is set. */
    private BrokerAuthorizer authorizer() {
        if (!config.authorizerEnabled()) {
            return BrokerAuthorizer.allowingEverything();
        }
        return BrokerAuthorizer.overAcls(
                lifecycle::metadata,
                config.superUsers(),
                config.allowEveryoneIfNoAclFound(),
                new AuthorizationDenials(
                        registry,
                        new RefusalLog(AuthorizationDenials.LOG_INTERVAL_NANOS, System::nanoTime),
                        log::warn));
    }

    /**
     * The group coordinators of the {@code __consumer_offsets} partitions this broker will lead, and the service
     * that reaches them.
     */
    private GroupGrpcService groupService(LogManager logs, ReplicaManager replicas, BrokerAuthorizer authorizer) {
        GroupTopics topics = new GroupTopics(new ClusterTopics(lifecycle::metadata), authorizer);
        GroupConfig groupConfig = config.groupConsumer();
        OffsetConfig offsetConfig =
                new OffsetConfig(config.offsetsRetention().toMillis(), config.offsetMetadataMaxBytes());
        groups = new GroupCoordinatorRuntime(
                config.nodeId(),
                () -> new CoordinatorShard(groupConfig, offsetConfig),
                replicas,
                logs::getLog,
                groupThreads,
                groupTimer,
                clock,
                topics,
                config.requestTimeout().toMillis(),
                groupConfig.hasDisconnectGrace());
        groupLag = new GroupLagMetrics(
                new GroupLagGauges(registry),
                groups::coordinatedGroups,
                new LeaderEndOffsets(
                        config.nodeId(),
                        lifecycle::metadata,
                        replicas,
                        leaderClient,
                        config.requestTimeout().toMillis()),
                clock,
                config.requestTimeout().toMillis());
        groupLag.start(groupTimer, config.values().get(NodeKeys.GROUP_LAG_REFRESH_INTERVAL_MS));
        offsetsTopic = new OffsetsTopicCreation(
                new OffsetsTopicCreation.Settings(
                        config.offsetsTopicNumPartitions(),
                        config.offsetsTopicReplicationFactor(),
                        config.offsetsTopicSegmentBytes(),
                        config.minInsyncReplicas()),
                controllers,
                lifecycle::pollSoon,
                config.requestTimeout().toMillis());
        return new GroupGrpcService(groups, offsetsTopic, topics, lifecycle::metadata, metrics, authorizer);
    }

    @Override
    public Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism) {
        return lifecycle.metadata().scramCredential(user, mechanism);
    }

    @Override
    public void serving(InetSocketAddress grpcAddress, Optional<InetSocketAddress> externalAddress) {
        List<HostPort> bootstrap = config.controllerQuorumBootstrapServers().isEmpty()
                ? List.of(new HostPort(grpcAddress.getHostString(), grpcAddress.getPort()))
                : config.controllerQuorumBootstrapServers();
        controllers.connect(bootstrap);
        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(Endpoint.newBuilder()
                .setName(CallerEndpoints.INTERNAL)
                .setHost(advertisedHost(grpcAddress))
                .setPort(grpcAddress.getPort())
                .build());
        externalAddress.ifPresent(bound -> {
            HostPort advertised =
                    config.grpcExternalAdvertised().orElse(new HostPort(bound.getHostString(), bound.getPort()));
            endpoints.add(Endpoint.newBuilder()
                    .setName(CallerEndpoints.EXTERNAL)
                    .setHost(advertised.host())
                    .setPort(advertised.port())
                    .build());
        });
        KafkaListener kafka = kafkaListener;
        if (kafka != null) {
            InetSocketAddress bound = kafka.boundAddress();
            HostPort advertised = config.kafkaAdvertised()
                    .orElse(new HostPort(
                            bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()
                                    ? bound.getHostString()
                                    : config.kafkaListener().orElseThrow().host(),
                            bound.getPort()));
            endpoints.add(Endpoint.newBuilder()
                    .setName(KafkaListener.ENDPOINT)
                    .setHost(advertised.host())
                    .setPort(advertised.port())
                    .build());
        }
        lifecycle.start(endpoints);
    }

    /**
     * The host other nodes and clients are sent to for {@code grpc.listener}: the host as configured (Kafka's
     * default for advertised.listeners), not the address it resolved to, because a TLS peer checks that name
     * against the broker's certificate (a certificate for {@code broker-1} does not name its container's IP).
     * A wildcard listener names no host, so the bound address stands.
     */
    private String advertisedHost(InetSocketAddress bound) {
        return bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()
                ? bound.getHostString()
                : config.grpcListener().host();
    }

    /** On the lifecycle's metadata thread: makes the hosted partitions match {@code next}. */
    private void apply(BrokerMetadata next) {
        newest = next;
        // Logs opened before their topic's overrides were known (every log at start-up) take them before
        // the reconciler makes them leaders or followers, so no append is checked against the broker
        // defaults; logs the reconciler creates read `newest` themselves. After the first view only the
        // logs of topics whose record changed can differ. Retention, held since start-up, may run from here on.
        Set<String> changedTopics = firstView ? null : changedTopics(reconciled, next);
        if (changedTopics == null || !changedTopics.isEmpty()) {
            logManager.forEachLog((tp, log) -> {
                if (changedTopics != null && !changedTopics.contains(tp.topic())) {
                    return;
                }
                LogConfig topicConfig = topicConfigs.logConfig(tp.topic());
                if (!topicConfig.equals(log.config())) {
                    log.updateConfig(topicConfig);
                }
            });
        }
        logManager.releaseRetention();
        Set<TopicPartition> onDisk =
                firstView && next.version() > 0 ? logManager.allLogs().keySet() : Set.of();
        long hostedChanges = replicaManager.hostedPartitionsChanges();
        PartitionReconciler.Result result = reconciler.reconcile(reconciled, next, onDisk);
        log.debug(
                "Metadata version {}: walked {} of {} topics, applied {} partition states, removed {} partitions",
                next.version(),
                result.topicsWalked(),
                next.partitions().size(),
                result.applied(),
                result.removed());
        groups.onMetadata(next);
        reconciled = next;
        firstView &= next.version() == 0;
        metrics.syncPartitions();
        if (changedTopics == null
                || !changedTopics.isEmpty()
                || hostedChanges != replicaManager.hostedPartitionsChanges()) {
            cleanerMetrics.syncCompactedLogs(compactedLogs());
        }
    }

    /** The topics {@code next} holds under another record than {@code previous} (or only one of them holds). */
    private static Set<String> changedTopics(BrokerMetadata previous, BrokerMetadata next) {
        Set<String> changed = new HashSet<>();
        next.topics().forEach((name, topic) -> {
            if (previous.topics().get(name) != topic) {
                changed.add(name);
            }
        });
        previous.topics().keySet().forEach(name -> {
            if (!next.topics().containsKey(name)) {
                changed.add(name);
            }
        });
        return changed;
    }

    /** The partitions whose log this broker holds and compacts, with the configs just applied. */
    private Set<TopicPartition> compactedLogs() {
        Set<TopicPartition> compacted = new HashSet<>();
        logManager.forEachLog((tp, log) -> {
            if (log.config().cleanupPolicy().compacts()) {
                compacted.add(tp);
            }
        });
        return compacted;
    }

    @Override
    public RoleHealth health() {
        LogManager logs = logManager;
        if (logs == null) {
            return RoleHealth.down("the broker has not started");
        }
        return BrokerHealth.of(
                lifecycle.status(),
                logs.failedDirs(),
                clock.millis(),
                config.brokerMetadataMaxStaleness().toMillis());
    }

    @Override
    public void prepareStop() {
        boolean clean = lifecycle.controlledShutdown(CONTROLLED_SHUTDOWN_MILLIS);
        log.info("Controlled shutdown of broker {} {}", config.nodeId(), clean ? "done" : "incomplete");
    }

    @Override
    public void close() {
        KafkaListener kafka = kafkaListener;
        if (kafka != null) {
            kafka.close();
        }
        lifecycle.close();
        GroupLagMetrics lag = groupLag;
        if (lag != null) {
            lag.close();
        }
        GroupCoordinatorRuntime coordinators = groups;
        if (coordinators != null) {
            coordinators.close();
        }
        ReplicaManager replicas = replicaManager;
        if (replicas != null) {
            replicas.close();
        }
        if (recordPeers != null) {
            recordPeers.close();
        }
        if (leaderClient != null) {
            leaderClient.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (replicationMetrics != null) {
            replicationMetrics.close();
        }
        if (cleanerMetrics != null) {
            cleanerMetrics.close();
        }
        LogManager logs = logManager;
        if (logs != null) {
            try {
                logs.close();
            } catch (IOException | RuntimeException e) {
                log.warn("Closing the logs of broker {} failed", config.nodeId(), e);
            }
        }
        scheduler.shutdownNow();
        timer.shutdownNow();
        groupThreads.shutdownNow();
        groupTimer.shutdownNow();
        quotaThrottle.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            timer.awaitTermination(2, TimeUnit.SECONDS);
            groupThreads.awaitTermination(2, TimeUnit.SECONDS);
            groupTimer.awaitTermination(2, TimeUnit.SECONDS);
            quotaThrottle.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        controllers.close();
        connectionTls.ifPresent(NodeTls::close);
        kafkaTls.ifPresent(NodeTls.KafkaTls::close);
    }
}
