package io.ferry.node;

import static io.ferry.config.NodeKeys.*;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigProblem;
import io.ferry.config.ConfigSources;
import io.ferry.config.ConfigValues;
import io.ferry.config.HostPort;
import io.ferry.config.ListenerAddress;
import io.ferry.config.QuorumVoter;
import io.ferry.config.RawSetting;
import io.ferry.group.GroupConfig;
import io.ferry.group.PartitionAssignor;
import io.ferry.record.TimestampType;
import io.ferry.replication.ReplicationConfig;
import io.ferry.security.Principal;
import io.ferry.security.SslPrincipalMapper;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.storage.CleanerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node's validated configuration, with typed accessors. Built from the sources in precedence
 * order (defaults &lt; file &lt; {@code FERRY_*} environment &lt; {@code --override} flags); every key
 * is declared in {@link io.ferry.config.NodeKeys}. Immutable and thread-safe.
 */
public final class NodeConfig {

    private final ConfigValues values;
    private final Set<ProcessRole> roles;

    private NodeConfig(ConfigValues values) {
        this.values = values;
        EnumSet<ProcessRole> set = EnumSet.noneOf(ProcessRole.class);
        values.get(PROCESS_ROLES).forEach(r -> set.add(ProcessRole.fromConfigName(r)));
        this.roles = Collections.unmodifiableSet(set);
    }

    /**
     * Reads and validates the configuration from all sources.
     *
     * @param file        the {@code --config} properties file, if any
     * @param environment the process environment; only {@code FERRY_*} variables are read
     * @param overrides   {@code key=value} texts of the {@code --override} flags, in command-line order
     * @throws ConfigException listing every problem in every source
     */
    public static NodeConfig load(Optional<Path> file, Map<String, String> environment, List<String> overrides)
            throws ConfigException {
        List<RawSetting> settings = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        if (file.isPresent()) {
            try {
                settings.addAll(ConfigSources.propertiesFile(file.get()));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        try {
            settings.addAll(ConfigSources.environment(environment));
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        try {
            settings.addAll(ConfigSources.overrides(overrides));
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        ConfigValues values;
        try {
            values = DEFINITION.resolve(settings, ConfigSources::howToSet);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            throw new ConfigException(problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        NodeConfig config = new NodeConfig(values);
        config.checkConsistency();
        return config;
    }

    /** Configuration from {@code key → value} settings only (an in-process node, a test harness). */
    public static NodeConfig of(Map<String, String> settings) throws ConfigException {
        List<String> flags = new ArrayList<>();
        settings.forEach((k, v) -> flags.add(k + "=" + v));
        return load(Optional.empty(), Map.of(), flags);
    }

    /** Rules that involve more than one key. */
    private void checkConsistency() throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<QuorumVoter> voters = controllerQuorumVoters();
        if (voters.isEmpty()) {
            problems.add(problem(CONTROLLER_QUORUM_VOTERS, "expected at least one voter (id@host:port)"));
        } else if (hasRole(ProcessRole.CONTROLLER) && voters.stream().noneMatch(v -> v.nodeId() == nodeId())) {
            problems.add(problem(
                    CONTROLLER_QUORUM_VOTERS,
                    "this node has the controller role, so its node.id " + nodeId() + " (" + values.origin(NODE_ID)
                            + ") must be one of the voters " + voters));
        }
        if (values.get(BROKER_HEARTBEAT_INTERVAL_MS) >= values.get(BROKER_SESSION_TIMEOUT_MS)) {
            problems.add(problem(
                    BROKER_HEARTBEAT_INTERVAL_MS,
                    "expected less than broker.session.timeout.ms (" + values.get(BROKER_SESSION_TIMEOUT_MS) + ", "
                            + values.origin(BROKER_SESSION_TIMEOUT_MS) + ")"));
        }
        if (values.get(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS) >= values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS)) {
            problems.add(problem(
                    GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS,
                    "expected less than group.consumer.session.timeout.ms ("
                            + values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS) + ", "
                            + values.origin(GROUP_CONSUMER_SESSION_TIMEOUT_MS)
                            + "): a member would be removed between two heartbeats"));
        }
        long grace = values.get(GROUP_CONSUMER_DISCONNECT_GRACE_MS);
        if (values.origin(GROUP_CONSUMER_DISCONNECT_GRACE_MS).kind() != ConfigOrigin.Kind.DEFAULT
                && !disconnectGraceFits(grace)) {
            problems.add(problem(
                    GROUP_CONSUMER_DISCONNECT_GRACE_MS,
                    "expected -1 (off), or at least group.consumer.heartbeat.interval.ms ("
                            + values.get(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS) + ", "
                            + values.origin(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS)
                            + ") and less than group.consumer.session.timeout.ms ("
                            + values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS) + ", "
                            + values.origin(GROUP_CONSUMER_SESSION_TIMEOUT_MS)
                            + "): a shorter grace would remove a live member between two heartbeats, a longer one"
                            + " would never apply"));
        }
        if (values.get(GROUP_MIN_SESSION_TIMEOUT_MS) > values.get(GROUP_MAX_SESSION_TIMEOUT_MS)) {
            problems.add(problem(
                    GROUP_MIN_SESSION_TIMEOUT_MS,
                    "expected at most group.max.session.timeout.ms (" + values.get(GROUP_MAX_SESSION_TIMEOUT_MS)
                            + ", " + values.origin(GROUP_MAX_SESSION_TIMEOUT_MS)
                            + "): no classic member could join"));
        }
        if (values.get(REPLICA_FETCH_WAIT_MAX_MS) >= values.get(REPLICA_LAG_TIME_MAX_MS)) {
            problems.add(problem(
                    REPLICA_FETCH_WAIT_MAX_MS,
                    "expected less than replica.lag.time.max.ms ("
                            + values.get(REPLICA_LAG_TIME_MAX_MS) + ", " + values.origin(REPLICA_LAG_TIME_MAX_MS)
                            + "): a follower parked that long would leave the ISR while caught up"));
        }
        long maxLag = values.get(LOG_CLEANER_MAX_COMPACTION_LAG_MS);
        long minLag = values.get(LOG_CLEANER_MIN_COMPACTION_LAG_MS);
        if (maxLag < minLag) {
            problems.add(problem(
                    LOG_CLEANER_MAX_COMPACTION_LAG_MS,
                    "expected at least log.cleaner.min.compaction.lag.ms (" + minLag + ", "
                            + values.origin(LOG_CLEANER_MIN_COMPACTION_LAG_MS)
                            + "): a record would have to be compacted before it may be"));
        }
        int cleanerThreads = values.get(LOG_CLEANER_THREADS);
        long dedupeBytes = values.get(LOG_CLEANER_DEDUPE_BUFFER_SIZE);
        if (cleanerThreads > 0 && dedupeBytes / cleanerThreads < CleanerConfig.MIN_DEDUPE_BYTES_PER_THREAD) {
            problems.add(problem(
                    LOG_CLEANER_DEDUPE_BUFFER_SIZE,
                    "expected at least " + CleanerConfig.MIN_DEDUPE_BYTES_PER_THREAD + " bytes for each of the "
                            + cleanerThreads + " log.cleaner.threads (" + values.origin(LOG_CLEANER_THREADS)
                            + "), so at least " + cleanerThreads * CleanerConfig.MIN_DEDUPE_BYTES_PER_THREAD));
        }
        if (hasRole(ProcessRole.CONTROLLER)) {
            voters.stream().filter(v -> v.nodeId() == nodeId()).findFirst().ifPresent(self -> {
                if (self.address().equals(grpcListener()) || self.address().equals(httpListener())) {
                    problems.add(problem(
                            CONTROLLER_QUORUM_VOTERS,
                            "this controller's Raft address "
                                    + self.address() + " must differ from grpc.listener and http.listener: the quorum "
                                    + "has its own port"));
                }
            });
        }
        grpcExternalListener()
                .ifPresentOrElse(
                        external -> {
                            if (external.port() != 0
                                    && (external.port() == grpcListener().port() || external.equals(httpListener()))) {
                                problems.add(
                                        problem(
                                                GRPC_EXTERNAL_LISTENER,
                                                "expected a port different from grpc.listener's and "
                                                        + "http.listener's: the port a client connects to tells which addresses it is given"));
                            }
                        },
                        () -> {
                            if (grpcExternalAdvertised().isPresent()) {
                                problems.add(problem(
                                        GRPC_EXTERNAL_ADVERTISED,
                                        "set without grpc.external.listener, which it " + "advertises"));
                            }
                        });
        kafkaListener()
                .ifPresentOrElse(
                        kafka -> {
                            if (kafka.port() != 0
                                    && (kafka.port() == grpcListener().port()
                                            || kafka.equals(httpListener())
                                            || grpcExternalListener()
                                                    .filter(kafka::equals)
                                                    .isPresent())) {
                                problems.add(problem(
                                        KAFKA_LISTENERS,
                                        "expected a port of its own, not one of the gRPC or HTTP ports"));
                            }
                        },
                        () -> {
                            if (kafkaAdvertised().isPresent()) {
                                problems.add(problem(
                                        KAFKA_ADVERTISED_LISTENERS,
                                        "set without kafka.listeners, which it advertises"));
                            }
                        });
        if (values.get(KAFKA_ADVERTISED_LISTENERS).isPresent()
                && values.get(KAFKA_LISTENERS).isPresent()
                && !values.get(KAFKA_ADVERTISED_LISTENERS)
                        .get()
                        .securityProtocol()
                        .equals(values.get(KAFKA_LISTENERS).get().securityProtocol())) {
            problems.add(problem(
                    KAFKA_ADVERTISED_LISTENERS,
                    "expected the security protocol of kafka.listeners, which it advertises"));
        }
        if (kafkaAdvertised().filter(advertised -> advertised.port() == 0).isPresent()) {
            problems.add(problem(KAFKA_ADVERTISED_LISTENERS, "expected the port clients connect to, not 0"));
        }
        if (grpcExternalAdvertised()
                .filter(advertised -> advertised.port() == 0)
                .isPresent()) {
            problems.add(problem(GRPC_EXTERNAL_ADVERTISED, "expected the port clients connect to, not 0"));
        }
        if ((grpcListenerTls()
                        || grpcExternalListenerTls()
                        || controllerQuorumTls()
                        || httpListenerTls()
                        || kafkaListenerTls())
                && values.get(SSL_KEYSTORE_LOCATION).isEmpty()) {
            String why;
            if (grpcListenerTls() || grpcExternalListenerTls() || controllerQuorumTls() || httpListenerTls()) {
                io.ferry.config.ConfigKey<String> tlsKey = grpcListenerTls()
                        ? GRPC_LISTENER_SECURITY_PROTOCOL
                        : grpcExternalListenerTls()
                                ? GRPC_EXTERNAL_LISTENER_SECURITY_PROTOCOL
                                : controllerQuorumTls()
                                        ? CONTROLLER_QUORUM_SECURITY_PROTOCOL
                                        : HTTP_LISTENER_SECURITY_PROTOCOL;
                why = tlsKey.name() + " is " + values.get(tlsKey);
            } else {
                why = KAFKA_LISTENERS.name() + " is "
                        + values.get(KAFKA_LISTENERS).orElseThrow();
            }
            problems.add(problem(
                    SSL_KEYSTORE_LOCATION, "expected the PEM file of this node's key and certificate chain: " + why));
        }
        if (grpcListenerSasl() && values.get(SSL_CLIENT_AUTH).equals("none")) {
            problems.add(problem(
                    SSL_CLIENT_AUTH,
                    "expected requested or required: grpc.listener.security.protocol is SASL_SSL, and brokers "
                            + "reach each other and the controllers there with their certificates, not passwords"));
        }
        try {
            sslPrincipalMapper();
        } catch (IllegalArgumentException e) {
            problems.add(problem(SSL_PRINCIPAL_MAPPING_RULES, e.getMessage()));
        }
        try {
            superUsers();
        } catch (IllegalArgumentException e) {
            problems.add(problem(SUPER_USERS, e.getMessage()));
        }
        if (grpcListener().port() != 0 && grpcListener().equals(httpListener())) {
            problems.add(problem(
                    HTTP_LISTENER,
                    "expected an address different from grpc.listener (" + values.origin(GRPC_LISTENER) + ")"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private ConfigProblem problem(io.ferry.config.ConfigKey<?> key, String message) {
        return new ConfigProblem(key.name(), values.origin(key), message);
    }

    /** The raw resolved values and where each came from (for logging and for keys without an accessor). */
    public ConfigValues values() {
        return values;
    }

    public int nodeId() {
        return values.get(NODE_ID);
    }

    public Set<ProcessRole> processRoles() {
        return roles;
    }

    public boolean hasRole(ProcessRole role) {
        return roles.contains(role);
    }

    public HostPort grpcListener() {
        return values.get(GRPC_LISTENER);
    }

    /** The second gRPC port for clients outside the brokers' network, if any. */
    public Optional<HostPort> grpcExternalListener() {
        return values.get(GRPC_EXTERNAL_LISTENER);
    }

    /** The address outside clients reach {@link #grpcExternalListener()} at, when it differs from the bound one. */
    public Optional<HostPort> grpcExternalAdvertised() {
        return values.get(GRPC_EXTERNAL_ADVERTISED);
    }

    /** The port that speaks Kafka's protocol ({@code kafka.listeners}), if any. */
    public Optional<HostPort> kafkaListener() {
        return values.get(KAFKA_LISTENERS).map(ListenerAddress::address);
    }

    /** Whether {@link #kafkaListener()} authenticates every client with a password ({@code SASL_SSL://}). */
    public boolean kafkaListenerSasl() {
        return values.get(KAFKA_LISTENERS).filter(ListenerAddress::sasl).isPresent();
    }

    /** Whether {@link #kafkaListener()} serves TLS ({@code SSL://} or {@code SASL_SSL://}). */
    public boolean kafkaListenerTls() {
        return values.get(KAFKA_LISTENERS).filter(ListenerAddress::tls).isPresent();
    }

    /** The address Kafka clients are sent to for {@link #kafkaListener()}, when it differs from the bound one. */
    public Optional<HostPort> kafkaAdvertised() {
        return values.get(KAFKA_ADVERTISED_LISTENERS).map(ListenerAddress::address);
    }

    /**
     * Whether {@code grpc.listener} serves TLS, and so whether this node's connections to other nodes'
     * {@code grpc.listener} (replica fetch, the controllers) use it.
     */
    /** {@code http.listener.security.protocol=SSL}: /metrics and /health over HTTPS. */
    public boolean httpListenerTls() {
        return values.get(HTTP_LISTENER_SECURITY_PROTOCOL).equals("SSL");
    }

    public boolean grpcListenerTls() {
        return !values.get(GRPC_LISTENER_SECURITY_PROTOCOL).equals("PLAINTEXT");
    }

    /** Whether {@code grpc.listener} requires a password session or a certificate of each call ({@code SASL_SSL}). */
    public boolean grpcListenerSasl() {
        return values.get(GRPC_LISTENER_SECURITY_PROTOCOL).equals("SASL_SSL");
    }

    /** As {@link #grpcListenerSasl()}, for {@code grpc.external.listener}. */
    public boolean grpcExternalListenerSasl() {
        return grpcExternalListener().isPresent()
                && values.get(GRPC_EXTERNAL_LISTENER_SECURITY_PROTOCOL).equals("SASL_SSL");
    }

    /** The mechanisms of {@code sasl.enabled.mechanisms}, which start-up checked. */
    public Set<ScramMechanism> saslEnabledMechanisms() {
        return values.get(SASL_ENABLED_MECHANISMS).stream()
                .map(name -> ScramMechanism.forMechanismName(name).orElseThrow())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** How long a password session lasts ({@code connections.max.reauth.ms}). */
    public long connectionsMaxReauthMs() {
        return values.get(CONNECTIONS_MAX_REAUTH_MS);
    }

    /** Whether the controllers' Raft port speaks mutual TLS ({@code controller.quorum.security.protocol}). */
    public boolean controllerQuorumTls() {
        return values.get(CONTROLLER_QUORUM_SECURITY_PROTOCOL).equals("SSL");
    }

    public boolean grpcExternalListenerTls() {
        return !values.get(GRPC_EXTERNAL_LISTENER_SECURITY_PROTOCOL).equals("PLAINTEXT");
    }

    /**
     * The rules that name the client of a mutual-TLS connection ({@code ssl.principal.mapping.rules}), which
     * start-up checked.
     */
    public SslPrincipalMapper sslPrincipalMapper() {
        return SslPrincipalMapper.parse(values.get(SSL_PRINCIPAL_MAPPING_RULES));
    }

    /** Whether calls are authorized against the ACLs ({@code authorizer.class.name} is set). */
    public boolean authorizerEnabled() {
        return !values.get(AUTHORIZER_CLASS_NAME).isEmpty();
    }

    /**
     * The principals of {@code super.users}, which start-up checked: Kafka's syntax, {@code type:name}
     * separated by ';', blanks around each ignored.
     */
    public Set<Principal> superUsers() {
        Set<Principal> users = new HashSet<>();
        for (String entry : values.get(SUPER_USERS).split(";")) {
            if (!entry.isBlank()) {
                users.add(Principal.parse(entry.strip()));
            }
        }
        return Set.copyOf(users);
    }

    /** {@code allow.everyone.if.no.acl.found}: the authorizer's answer for a resource no ACL names. */
    public boolean allowEveryoneIfNoAclFound() {
        return values.get(ALLOW_EVERYONE_IF_NO_ACL_FOUND);
    }

    public int grpcMaxConcurrentCallsPerConnection() {
        return values.get(GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION);
    }

    public HostPort httpListener() {
        return values.get(HTTP_LISTENER);
    }

    public List<QuorumVoter> controllerQuorumVoters() {
        return values.get(CONTROLLER_QUORUM_VOTERS);
    }

    /**
     * {@code controller.quorum.bootstrap.servers}; empty on a combined node means its own gRPC port
     * (resolved once it is bound).
     */
    public List<HostPort> controllerQuorumBootstrapServers() {
        return values.get(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS);
    }

    public Duration controllerQuorumElectionTimeout() {
        return Duration.ofMillis(values.get(CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS));
    }

    public Duration leaderImbalanceCheckInterval() {
        return Duration.ofSeconds(values.get(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS));
    }

    /** {@code metadata.log.dir}, or the first of {@code log.dirs} when it is empty. */
    public Path metadataLogDir() {
        String dir = values.get(METADATA_LOG_DIR);
        return dir.isEmpty() ? logDirs().get(0) : Path.of(dir);
    }

    /** Never empty. */
    public List<Path> logDirs() {
        return values.get(LOG_DIRS).stream().map(Path::of).toList();
    }

    public Duration brokerSessionTimeout() {
        return Duration.ofMillis(values.get(BROKER_SESSION_TIMEOUT_MS));
    }

    public Duration brokerLivenessProbeAfter() {
        return Duration.ofMillis(values.get(BROKER_LIVENESS_PROBE_AFTER_MS));
    }

    public Duration brokerHeartbeatInterval() {
        return Duration.ofMillis(values.get(BROKER_HEARTBEAT_INTERVAL_MS));
    }

    public Duration brokerMetadataMaxStaleness() {
        return Duration.ofMillis(values.get(BROKER_METADATA_MAX_STALENESS_MS));
    }

    public int numPartitions() {
        return values.get(NUM_PARTITIONS);
    }

    public int defaultReplicationFactor() {
        return values.get(DEFAULT_REPLICATION_FACTOR);
    }

    public int minInsyncReplicas() {
        return values.get(MIN_INSYNC_REPLICAS);
    }

    public boolean uncleanLeaderElectionEnable() {
        return values.get(UNCLEAN_LEADER_ELECTION_ENABLE);
    }

    public boolean autoLeaderRebalanceEnable() {
        return values.get(AUTO_LEADER_REBALANCE_ENABLE);
    }

    /** Validated to fit an int. */
    public int logSegmentBytes() {
        return Math.toIntExact(values.get(LOG_SEGMENT_BYTES));
    }

    public Duration logRoll() {
        return Duration.ofMillis(values.get(LOG_ROLL_MS));
    }

    /** Empty when retention by time is off ({@code log.retention.ms=-1}). */
    public Optional<Duration> logRetention() {
        long ms = values.get(LOG_RETENTION_MS);
        return ms < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
    }

    /** Empty when retention by size is off ({@code log.retention.bytes=-1}). */
    public OptionalLong logRetentionBytes() {
        long bytes = values.get(LOG_RETENTION_BYTES);
        return bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
    }

    public Duration logRetentionCheckInterval() {
        return Duration.ofMillis(values.get(LOG_RETENTION_CHECK_INTERVAL_MS));
    }

    public long logFlushIntervalMessages() {
        return values.get(LOG_FLUSH_INTERVAL_MESSAGES);
    }

    public Duration logFlushInterval() {
        return Duration.ofMillis(values.get(LOG_FLUSH_INTERVAL_MS));
    }

    /** Validated to fit an int. */
    public int logIndexIntervalBytes() {
        return Math.toIntExact(values.get(LOG_INDEX_INTERVAL_BYTES));
    }

    /** Validated to fit an int. */
    public int logIndexSizeMaxBytes() {
        return Math.toIntExact(values.get(LOG_INDEX_SIZE_MAX_BYTES));
    }

    /**
     * The largest request the node reads, on the gRPC ports and the Kafka listener: a produce request may carry
     * several batches of up to {@code message.max.bytes} each, and a single batch just above that limit must
     * still reach the broker to be refused with BATCH_TOO_LARGE naming the limit. Twice the limit plus 1 MiB
     * of framing does both; anything larger is refused by the server (gRPC's RESOURCE_EXHAUSTED; the Kafka
     * listener closes the connection, as Kafka's broker does above {@code socket.request.max.bytes}) before
     * it is buffered.
     */
    public int maxRequestBytes() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * messageMaxBytes() + (1 << 20));
    }

    /** Validated to fit an int. */
    public int messageMaxBytes() {
        return Math.toIntExact(values.get(MESSAGE_MAX_BYTES));
    }

    public TimestampType logMessageTimestampType() {
        return TimestampType.forName(values.get(LOG_MESSAGE_TIMESTAMP_TYPE));
    }

    public long logMessageTimestampBeforeMaxMs() {
        return values.get(LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS);
    }

    public long logMessageTimestampAfterMaxMs() {
        return values.get(LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS);
    }

    /** Validated to fit an int. */
    public int fetchMaxBytes() {
        return Math.toIntExact(values.get(FETCH_MAX_BYTES));
    }

    /** {@code fetch.response.queued.max.bytes}: broker-wide, then per connection. */
    public long fetchResponseQueuedMaxBytes() {
        return values.get(FETCH_RESPONSE_QUEUED_MAX_BYTES);
    }

    public long fetchResponseQueuedMaxBytesPerConnection() {
        return values.get(FETCH_RESPONSE_QUEUED_MAX_BYTES_PER_CONNECTION);
    }

    /** {@code fetch.purgatory.max.bytes}: broker-wide, then per connection. */
    public long fetchPurgatoryMaxBytes() {
        return values.get(FETCH_PURGATORY_MAX_BYTES);
    }

    public long fetchPurgatoryMaxBytesPerConnection() {
        return values.get(FETCH_PURGATORY_MAX_BYTES_PER_CONNECTION);
    }

    public Duration replicaLagTimeMax() {
        return Duration.ofMillis(values.get(REPLICA_LAG_TIME_MAX_MS));
    }

    /** The replication settings, validated together by {@link #load}. */
    public ReplicationConfig replication() {
        return new ReplicationConfig(
                values.get(REPLICA_LAG_TIME_MAX_MS),
                Math.toIntExact(values.get(REPLICA_FETCH_WAIT_MAX_MS)),
                Math.toIntExact(values.get(REPLICA_FETCH_MIN_BYTES)),
                Math.toIntExact(values.get(REPLICA_FETCH_RESPONSE_MAX_BYTES)),
                Math.toIntExact(values.get(REPLICA_FETCH_MAX_BYTES)),
                values.get(REPLICA_FETCH_BACKOFF_MS),
                values.get(REQUEST_TIMEOUT_MS));
    }

    /** The log cleaner's settings, validated together by {@link #load}. */
    public CleanerConfig cleaner() {
        return new CleanerConfig(
                values.get(LOG_CLEANER_THREADS),
                values.get(LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                values.get(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR),
                values.get(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND),
                values.get(LOG_CLEANER_BACKOFF_MS));
    }

    /** The nice value of the cleaner threads ({@code log.cleaner.niceness}). */
    public int logCleanerNiceness() {
        return values.get(LOG_CLEANER_NICENESS);
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(values.get(REQUEST_TIMEOUT_MS));
    }

    /** {@code quota.window.num}: the samples a client's quota rates are measured over. */
    public int quotaWindowNum() {
        return values.get(QUOTA_WINDOW_NUM);
    }

    /** {@code quota.window.size.seconds}: one quota sample. */
    public Duration quotaWindowSize() {
        return Duration.ofSeconds(values.get(QUOTA_WINDOW_SIZE_SECONDS));
    }

    public int offsetsTopicNumPartitions() {
        return values.get(OFFSETS_TOPIC_NUM_PARTITIONS);
    }

    public int offsetsTopicReplicationFactor() {
        return values.get(OFFSETS_TOPIC_REPLICATION_FACTOR);
    }

    /** {@code metadata.max.idle.interval.ms}: how long the active controller appends nothing before a no-op entry. */
    public Duration metadataMaxIdleInterval() {
        return Duration.ofMillis(values.get(METADATA_MAX_IDLE_INTERVAL_MS));
    }

    /** Validated to fit an int. */
    public int offsetsTopicSegmentBytes() {
        return Math.toIntExact(values.get(OFFSETS_TOPIC_SEGMENT_BYTES));
    }

    public Duration offsetsRetention() {
        return Duration.ofMinutes(values.get(OFFSETS_RETENTION_MINUTES));
    }

    /** Validated to fit a short. */
    public int offsetMetadataMaxBytes() {
        return Math.toIntExact(values.get(OFFSET_METADATA_MAX_BYTES));
    }

    /** The consumer groups' settings, validated together by {@link #load}; the first assignor listed assigns. */
    public GroupConfig groupConsumer() {
        String assignor = values.get(GROUP_CONSUMER_ASSIGNORS).get(0);
        return new GroupConfig(
                Math.toIntExact(values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS)),
                Math.toIntExact(values.get(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS)),
                values.get(GROUP_CONSUMER_MAX_SIZE),
                PartitionAssignor.byName(assignor)
                        .orElseThrow(() -> new IllegalStateException("assignor " + assignor + " passed validation")),
                disconnectGraceMs());
    }

    /**
     * The shortest session timeout a classic member's JoinGroup may ask for; at most
     * {@link #groupMaxSessionTimeoutMs()} ({@link #load} checks), validated to fit an int.
     */
    public int groupMinSessionTimeoutMs() {
        return Math.toIntExact(values.get(GROUP_MIN_SESSION_TIMEOUT_MS));
    }

    /** The longest session timeout a classic member's JoinGroup may ask for; validated to fit an int. */
    public int groupMaxSessionTimeoutMs() {
        return Math.toIntExact(values.get(GROUP_MAX_SESSION_TIMEOUT_MS));
    }

    /**
     * {@code group.consumer.disconnect.grace.ms}; the default is off when it does not fit between the heartbeat
     * interval and the session timeout (a session already that short needs no grace), a set value was checked.
     */
    private int disconnectGraceMs() {
        long grace = values.get(GROUP_CONSUMER_DISCONNECT_GRACE_MS);
        return disconnectGraceFits(grace) ? Math.toIntExact(grace) : GroupConfig.NO_DISCONNECT_GRACE;
    }

    private boolean disconnectGraceFits(long graceMs) {
        return GroupConfig.disconnectGraceFits(
                graceMs,
                values.get(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS),
                values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS));
    }
}
