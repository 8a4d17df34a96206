package io.ferry.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigProblem;
import io.ferry.config.HostPort;
import io.ferry.config.NodeKeys;
import io.ferry.config.QuorumVoter;
import io.ferry.group.GroupConfig;
import io.ferry.replication.ReplicationConfig;
import io.ferry.security.Principal;
import io.ferry.storage.CleanerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    private static final List<String> MINIMAL =
            List.of("node.id=1", "process.roles=broker", "controller.quorum.voters=1@localhost:9093");

    @TempDir
    Path dir;

    private Path file(String... lines) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    private static ConfigException rejected(Optional<Path> file, Map<String, String> env, List<String> flags) {
        return assertThrows(ConfigException.class, () -> NodeConfig.load(file, env, flags));
    }

    private static ConfigProblem only(ConfigException e) {
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void defaultsAreKafkas() throws Exception {
        NodeConfig c = NodeConfig.load(Optional.empty(), Map.of(), MINIMAL);
        assertEquals(1, c.nodeId());
        assertEquals(Set.of(ProcessRole.BROKER), c.processRoles());
        assertEquals(new HostPort("127.0.0.1", 9092), c.grpcListener());
        assertEquals(new HostPort("127.0.0.1", 9644), c.httpListener());
        assertEquals(List.of(new QuorumVoter(1, new HostPort("localhost", 9093))), c.controllerQuorumVoters());
        // A third of Kafka's, so a dead active controller is replaced within about a second (docs/architecture.md).
        assertEquals(Duration.ofMillis(300), c.controllerQuorumElectionTimeout());
        assertEquals(Duration.ofMinutes(5), c.leaderImbalanceCheckInterval());
        assertEquals(List.of(Path.of("/tmp/ferry-logs")), c.logDirs());
        assertEquals(Path.of("/tmp/ferry-logs"), c.metadataLogDir());
        // Kafka's session; heartbeats four times as often as Kafka's, so a probe notices a kill sooner
        // (docs/architecture.md).
        assertEquals(Duration.ofSeconds(9), c.brokerSessionTimeout());
        assertEquals(Duration.ofMillis(500), c.brokerHeartbeatInterval());
        assertEquals(1, c.numPartitions());
        assertEquals(1, c.defaultReplicationFactor());
        assertEquals(1, c.minInsyncReplicas());
        assertFalse(c.uncleanLeaderElectionEnable());
        assertTrue(c.autoLeaderRebalanceEnable());
        assertEquals(1 << 30, c.logSegmentBytes());
        assertEquals(Duration.ofDays(7), c.logRoll());
        assertEquals(Optional.of(Duration.ofDays(7)), c.logRetention());
        assertEquals(OptionalLong.empty(), c.logRetentionBytes());
        assertEquals(Duration.ofMinutes(5), c.logRetentionCheckInterval());
        assertEquals(Long.MAX_VALUE, c.logFlushIntervalMessages());
        assertEquals(Duration.ofMillis(Long.MAX_VALUE), c.logFlushInterval());
        assertEquals(4096, c.logIndexIntervalBytes());
        assertEquals(10 * 1024 * 1024, c.logIndexSizeMaxBytes());
        assertEquals(1_048_588, c.messageMaxBytes());
        assertEquals(Duration.ofSeconds(30), c.replicaLagTimeMax());
        assertEquals(new ReplicationConfig(30_000, 500, 1, 10 << 20, 1 << 20, 200, 30_000), c.replication());
        assertEquals(Duration.ofSeconds(30), c.requestTimeout());
        assertEquals(CleanerConfig.defaults(), c.cleaner());
        assertEquals(
                ConfigOrigin.Kind.DEFAULT,
                c.values().origin(NodeKeys.NUM_PARTITIONS).kind());
    }

    @Test
    void eachSourceSetsKeys() throws Exception {
        Path f = file(
                "node.id=1",
                "process.roles=broker,controller",
                "controller.quorum.voters=1@h:1",
                "log.dirs=/a, /b",
                "metadata.log.dir=/meta",
                "log.retention.ms=-1");
        NodeConfig fromFile = NodeConfig.load(Optional.of(f), Map.of(), List.of());
        assertEquals(Set.of(ProcessRole.BROKER, ProcessRole.CONTROLLER), fromFile.processRoles());
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), fromFile.logDirs());
        assertEquals(Path.of("/meta"), fromFile.metadataLogDir());
        assertEquals(Optional.empty(), fromFile.logRetention());
        assertEquals(f + ":4", fromFile.values().origin(NodeKeys.LOG_DIRS).description());

        NodeConfig fromEnv = NodeConfig.load(
                Optional.empty(),
                Map.of(
                        "FERRY_NODE_ID",
                        "1",
                        "FERRY_PROCESS_ROLES",
                        "broker",
                        "FERRY_CONTROLLER_QUORUM_VOTERS",
                        "1@h:1",
                        "FERRY_UNCLEAN_LEADER_ELECTION_ENABLE",
                        "TRUE"),
                List.of());
        assertTrue(fromEnv.uncleanLeaderElectionEnable());
        assertEquals(ConfigOrigin.environment("FERRY_NODE_ID"), fromEnv.values().origin(NodeKeys.NODE_ID));

        NodeConfig fromFlags = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                List.of(
                        "node.id=4",
                        "process.roles=controller",
                        "controller.quorum.voters=4@h:1",
                        "grpc.listener=0.0.0.0:0",
                        "log.retention.bytes=1000"));
        assertEquals(new HostPort("0.0.0.0", 0), fromFlags.grpcListener());
        assertEquals(OptionalLong.of(1000), fromFlags.logRetentionBytes());
    }

    @Test
    void precedenceIsDefaultsThenFileThenEnvironmentThenFlags() throws Exception {
        Path f = file(
                "node.id=1",
                "process.roles=broker",
                "controller.quorum.voters=1@h:1",
                "num.partitions=2",
                "min.insync.replicas=2",
                "default.replication.factor=2");
        Map<String, String> env = Map.of("FERRY_MIN_INSYNC_REPLICAS", "3", "FERRY_DEFAULT_REPLICATION_FACTOR", "3");
        NodeConfig c = NodeConfig.load(Optional.of(f), env, List.of("default.replication.factor=4"));
        assertEquals(2, c.numPartitions());
        assertEquals(3, c.minInsyncReplicas());
        assertEquals(4, c.defaultReplicationFactor());
        assertEquals(1, c.values().get(NodeKeys.LOG_INDEX_SIZE_MAX_BYTES) / (10 * 1024 * 1024));
        assertEquals(
                ConfigOrigin.Kind.FILE,
                c.values().origin(NodeKeys.NUM_PARTITIONS).kind());
        assertEquals(
                ConfigOrigin.Kind.ENVIRONMENT,
                c.values().origin(NodeKeys.MIN_INSYNC_REPLICAS).kind());
        assertEquals(
                ConfigOrigin.Kind.FLAG,
                c.values().origin(NodeKeys.DEFAULT_REPLICATION_FACTOR).kind());
    }

    @Test
    void unknownKeyFromEachSourceStopsStartUp() throws Exception {
        Path f = file("node.id=1", "log.retention.hour=1");
        ConfigProblem fromFile = only(
                rejected(Optional.of(f), Map.of(), List.of("process.roles=broker", "controller.quorum.voters=1@h:1")));
        assertEquals(
                new ConfigProblem("log.retention.hour", ConfigOrigin.fileLine(f, 2), "unknown configuration key"),
                fromFile);

        ConfigException fromEnv = rejected(Optional.empty(), Map.of("FERRY_LOG_RETENTION_HOUR", "1"), MINIMAL);
        assertEquals("log.retention.hour", only(fromEnv).key());
        assertTrue(
                fromEnv.getMessage().contains("environment variable FERRY_LOG_RETENTION_HOUR"), fromEnv.getMessage());
        assertTrue(fromEnv.getMessage().contains("FERRY_HOME"), "names the allow-list: " + fromEnv.getMessage());
        ConfigProblem typo = only(rejected(Optional.empty(), Map.of("FERRY_LOG_RETENTION_M", "1"), MINIMAL));
        assertTrue(typo.message().contains("did you mean FERRY_LOG_RETENTION_MS?"), typo.message());

        ConfigException fromFlag = rejected(
                Optional.empty(),
                Map.of(),
                List.of("node.id=1", "process.roles=broker", "controller.quorum.voters=1@h:1", "num.partition=3"));
        assertEquals(
                new ConfigProblem(
                        "num.partition",
                        ConfigOrigin.flag("num.partition=3"),
                        "unknown configuration key (did you mean num.partitions?)"),
                only(fromFlag));
    }

    @Test
    void malformedValueNamesKeySourceAndExpectation() throws Exception {
        Path f = file("node.id=one", "process.roles=broker", "controller.quorum.voters=1@h:1");
        ConfigProblem p = only(rejected(Optional.of(f), Map.of(), List.of()));
        assertEquals("node.id (" + f + ":1): expected an integer (32-bit), got 'one'", p.toString());

        ConfigProblem env = only(rejected(Optional.empty(), Map.of("FERRY_LOG_SEGMENT_BYTES", "1k"), MINIMAL));
        assertEquals(
                "log.segment.bytes (environment variable FERRY_LOG_SEGMENT_BYTES): "
                        + "expected a whole number of bytes, got '1k'",
                env.toString());

        ConfigProblem flag = only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "log.segment.bytes=1000")));
        assertEquals(
                "log.segment.bytes (flag --override log.segment.bytes=1000): "
                        + "expected a value in [1048576, 2147483647], got 1000",
                flag.toString());
    }

    @Test
    void listAndRoleValidation() throws Exception {
        assertEquals(
                "expected at least one item",
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "log.dirs=")))
                        .message());
        assertTrue(only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "log.dirs=/a,,/b")))
                .message()
                .contains("without empty items"));
        assertEquals(
                "expected items from [broker, controller], got 'worker'",
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "process.roles=worker")))
                        .message());
        assertEquals(
                "expected distinct items, got 'broker' twice",
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "process.roles=broker,broker")))
                        .message());
        assertTrue(only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "http.listener=localhost:99999")))
                .message()
                .startsWith("expected host:port"));
    }

    @Test
    void programmaticSettingsAreFlags() throws Exception {
        NodeConfig c =
                NodeConfig.of(Map.of("node.id", "9", "process.roles", "broker", "controller.quorum.voters", "1@h:1"));
        assertEquals(9, c.nodeId());
        assertEquals(ConfigOrigin.Kind.FLAG, c.values().origin(NodeKeys.NODE_ID).kind());
    }

    @Test
    void requiredKeysAreReportedTogether() {
        ConfigException e = rejected(Optional.empty(), Map.of(), List.of());
        assertEquals(
                List.of("node.id", "process.roles"),
                e.problems().stream().map(ConfigProblem::key).toList());
    }

    @Test
    void crossKeyRules() throws Exception {
        ConfigProblem noVoters =
                only(rejected(Optional.empty(), Map.of(), List.of("node.id=1", "process.roles=broker")));
        assertEquals("controller.quorum.voters", noVoters.key());

        ConfigProblem notAVoter = only(rejected(
                Optional.empty(),
                Map.of(),
                List.of("node.id=2", "process.roles=controller", "controller.quorum.voters=1@h:1")));
        assertEquals("controller.quorum.voters", notAVoter.key());
        assertTrue(notAVoter.message().contains("node.id 2"), notAVoter.message());

        ConfigProblem raftOnGrpcPort = only(rejected(
                Optional.empty(),
                Map.of(),
                List.of("node.id=1", "process.roles=controller", "controller.quorum.voters=1@127.0.0.1:9092")));
        assertTrue(raftOnGrpcPort.message().contains("must differ from grpc.listener"), raftOnGrpcPort.message());

        ConfigProblem heartbeat =
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "broker.heartbeat.interval.ms=9000")));
        assertEquals("broker.heartbeat.interval.ms", heartbeat.key());

        ConfigProblem fetchWait = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "replica.lag.time.max.ms=1000", "replica.fetch.wait.max.ms=1000")));
        assertEquals("replica.fetch.wait.max.ms", fetchWait.key());
        assertTrue(fetchWait.message().contains("replica.lag.time.max.ms"), fetchWait.message());

        ConfigProblem samePort = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "grpc.listener=127.0.0.1:9000", "http.listener=127.0.0.1:9000")));
        assertEquals("http.listener", samePort.key());
        NodeConfig.load(
                Optional.empty(), Map.of(), concat(MINIMAL, "grpc.listener=127.0.0.1:0", "http.listener=127.0.0.1:0"));
    }

    @Test
    void theCleanerKeysMakeItsConfigAndItsRulesAcrossKeysStopStartUp() throws Exception {
        NodeConfig set = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(
                        MINIMAL,
                        "log.cleaner.threads=4",
                        "log.cleaner.dedupe.buffer.size=4194304",
                        "log.cleaner.io.buffer.load.factor=0.75",
                        "log.cleaner.io.max.bytes.per.second=1048576",
                        "log.cleaner.backoff.ms=100"));
        assertEquals(new CleanerConfig(4, 4 << 20, 0.75, 1 << 20, 100), set.cleaner());
        // The least each key accepts is a cleaner storage accepts.
        NodeConfig least = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(
                        MINIMAL,
                        "log.cleaner.threads=0",
                        "log.cleaner.dedupe.buffer.size=0",
                        "log.cleaner.io.buffer.load.factor=1",
                        "log.cleaner.io.max.bytes.per.second=1",
                        "log.cleaner.backoff.ms=1"));
        assertEquals(new CleanerConfig(0, 0, 1.0, 1, 1), least.cleaner());

        ConfigProblem dedupe = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "log.cleaner.threads=3", "log.cleaner.dedupe.buffer.size=3145727")));
        assertEquals("log.cleaner.dedupe.buffer.size", dedupe.key());
        assertEquals(
                "expected at least 1048576 bytes for each of the 3 log.cleaner.threads (flag --override log.cleaner.threads=3), so "
                        + "at least 3145728",
                dedupe.message());
        NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "log.cleaner.threads=3", "log.cleaner.dedupe.buffer.size=3145728"));

        ConfigProblem lags = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "log.cleaner.min.compaction.lag.ms=2000", "log.cleaner.max.compaction.lag.ms=1000")));
        assertEquals("log.cleaner.max.compaction.lag.ms", lags.key());
        assertEquals(
                "expected at least log.cleaner.min.compaction.lag.ms (2000, flag --override "
                        + "log.cleaner.min.compaction.lag.ms=2000): a record would have to "
                        + "be compacted before it may be",
                lags.message());
    }

    @Test
    void anExternalListenerNeedsItsOwnPortAndAnAdvertisedAddressNeedsTheListener() throws Exception {
        NodeConfig external = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "grpc.external.listener=0.0.0.0:19092", "grpc.external.advertised=localhost:9092"));
        assertEquals(Optional.of(new HostPort("0.0.0.0", 19092)), external.grpcExternalListener());
        assertEquals(Optional.of(new HostPort("localhost", 9092)), external.grpcExternalAdvertised());
        assertEquals(
                Optional.empty(),
                NodeConfig.load(Optional.empty(), Map.of(), MINIMAL).grpcExternalListener());

        ConfigProblem samePort = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "grpc.listener=10.0.0.1:9092", "grpc.external.listener=0.0.0.0:9092")));
        assertEquals("grpc.external.listener", samePort.key());
        ConfigProblem alone =
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "grpc.external.advertised=localhost:9092")));
        assertEquals("grpc.external.advertised", alone.key());
        assertTrue(alone.message().contains("grpc.external.listener"), alone.message());
        ConfigProblem portZero = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "grpc.external.listener=127.0.0.1:0", "grpc.external.advertised=localhost:0")));
        assertEquals("grpc.external.advertised", portZero.key());
        assertEquals(
                "grpc.external.listener",
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "grpc.external.listener=nonsense")))
                        .key());
    }

    @Test
    void theKafkaListenerTakesKafkasSyntaxPlaintextOrSslAndAPortOfItsOwn() throws Exception {
        NodeConfig kafka = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(
                        MINIMAL,
                        "kafka.listeners=PLAINTEXT://0.0.0.0:19093",
                        "kafka.advertised.listeners=PLAINTEXT://broker-1:29093"));
        assertEquals(Optional.of(new HostPort("0.0.0.0", 19093)), kafka.kafkaListener());
        assertEquals(Optional.of(new HostPort("broker-1", 29093)), kafka.kafkaAdvertised());
        assertEquals(
                Optional.empty(),
                NodeConfig.load(Optional.empty(), Map.of(), MINIMAL).kafkaListener());

        assertFalse(kafka.kafkaListenerTls());

        ConfigProblem sasl = only(rejected(
                Optional.empty(), Map.of(), concat(MINIMAL, "kafka.listeners=SASL_PLAINTEXT://0.0.0.0:19093")));
        assertEquals("kafka.listeners", sasl.key());
        assertTrue(sasl.message().contains("SASL_PLAINTEXT is not offered"), sasl.message());
        ConfigProblem noScheme =
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "kafka.listeners=0.0.0.0:19093")));
        assertTrue(noScheme.message().contains("PROTOCOL://host:port"), noScheme.message());
        ConfigProblem noKeystore =
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "kafka.listeners=SSL://0.0.0.0:19093")));
        assertEquals("ssl.keystore.location", noKeystore.key());
        assertTrue(noKeystore.message().contains("kafka.listeners is SSL://0.0.0.0:19093"), noKeystore.message());
        ConfigProblem otherProtocol = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(
                        MINIMAL,
                        "kafka.listeners=PLAINTEXT://0.0.0.0:19093",
                        "kafka.advertised.listeners=SSL://broker-1:29093")));
        assertEquals("kafka.advertised.listeners", otherProtocol.key());
        assertEquals(
                "kafka.listeners",
                only(rejected(
                                Optional.empty(),
                                Map.of(),
                                concat(
                                        MINIMAL,
                                        "grpc.listener=10.0.0.1:9092",
                                        "kafka.listeners=PLAINTEXT://0.0.0.0:9092")))
                        .key());
        ConfigProblem alone = only(rejected(
                Optional.empty(), Map.of(), concat(MINIMAL, "kafka.advertised.listeners=PLAINTEXT://broker-1:9093")));
        assertEquals("kafka.advertised.listeners", alone.key());
        assertTrue(alone.message().contains("kafka.listeners"), alone.message());
    }

    @Test
    void theDisconnectGraceLiesBetweenTheHeartbeatIntervalAndTheSessionTimeout() throws Exception {
        assertEquals(
                9_000,
                NodeConfig.load(Optional.empty(), Map.of(), MINIMAL)
                        .groupConsumer()
                        .disconnectGraceMs());
        for (String grace : List.of("2999", "45000", "0")) {
            ConfigProblem problem = only(rejected(
                    Optional.empty(), Map.of(), concat(MINIMAL, "group.consumer.disconnect.grace.ms=" + grace)));
            assertEquals("group.consumer.disconnect.grace.ms", problem.key());
            assertTrue(problem.message().contains("group.consumer.heartbeat.interval.ms"), problem.message());
            assertTrue(problem.message().contains("group.consumer.session.timeout.ms"), problem.message());
        }
        assertEquals(
                GroupConfig.NO_DISCONNECT_GRACE,
                NodeConfig.load(Optional.empty(), Map.of(), concat(MINIMAL, "group.consumer.disconnect.grace.ms=-1"))
                        .groupConsumer()
                        .disconnectGraceMs());
        assertEquals(
                GroupConfig.NO_DISCONNECT_GRACE,
                NodeConfig.load(Optional.empty(), Map.of(), concat(MINIMAL, "group.consumer.session.timeout.ms=6000"))
                        .groupConsumer()
                        .disconnectGraceMs(),
                "the default does not fit under a 6 s session: off");
    }

    @Test
    void aClassicMembersSessionTimeoutBoundsAreKafkasAndTheMinimumMayNotExceedTheMaximum() throws Exception {
        NodeConfig defaults = NodeConfig.load(Optional.empty(), Map.of(), MINIMAL);
        assertEquals(6_000, defaults.groupMinSessionTimeoutMs());
        assertEquals(1_800_000, defaults.groupMaxSessionTimeoutMs());
        ConfigProblem problem = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "group.min.session.timeout.ms=60000", "group.max.session.timeout.ms=30000")));
        assertEquals("group.min.session.timeout.ms", problem.key());
        assertTrue(problem.message().contains("group.max.session.timeout.ms (30000"), problem.message());
    }

    @Test
    void authorizationKeysAreKafkas() throws Exception {
        NodeConfig off = NodeConfig.load(Optional.empty(), Map.of(), MINIMAL);
        assertFalse(off.authorizerEnabled());
        assertEquals(Set.of(), off.superUsers());
        assertFalse(off.allowEveryoneIfNoAclFound());

        NodeConfig on = NodeConfig.load(
                Optional.empty(),
                Map.of(),
                concat(
                        MINIMAL,
                        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                        "super.users=User:CN=broker-1,O=Ferry; User:admin;",
                        "allow.everyone.if.no.acl.found=true"));
        assertTrue(on.authorizerEnabled());
        assertEquals(Set.of(Principal.user("CN=broker-1,O=Ferry"), Principal.user("admin")), on.superUsers());
        assertTrue(on.allowEveryoneIfNoAclFound());
    }

    @Test
    void anotherAuthorizerOrAMalformedSuperUserStopsStartUp() {
        ConfigProblem authorizer = only(rejected(
                Optional.empty(),
                Map.of(),
                concat(MINIMAL, "authorizer.class.name=kafka.security.authorizer.AclAuthorizer")));
        assertEquals("authorizer.class.name", authorizer.key());
        assertTrue(
                authorizer.message().contains("org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                authorizer.message());

        ConfigProblem superUsers =
                only(rejected(Optional.empty(), Map.of(), concat(MINIMAL, "super.users=User:a;bob")));
        assertEquals("super.users", superUsers.key());
        assertTrue(superUsers.message().contains("'bob'"), superUsers.message());
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
