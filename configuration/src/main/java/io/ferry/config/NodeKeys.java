package io.ferry.config;

import static io.ferry.config.Importance.HIGH;
import static io.ferry.config.Importance.LOW;
import static io.ferry.config.Importance.MEDIUM;
import static io.ferry.config.Validators.any;
import static io.ferry.config.Validators.atLeast;
import static io.ferry.config.Validators.between;

import java.util.List;
import java.util.Optional;

/**
 * Every key a node understands: the one place where a key's type, default, validation and
 * documentation are written; {@code docs/configuration.md} is generated from {@link #DEFINITION}
 * ({@link ConfigReference}). Topic keys whose broker default a node key supplies are in {@link TopicKeys}.
 * Names and defaults are Kafka's where the meaning is the same.
 */
public final class NodeKeys {

    private static final long INT_MAX = Integer.MAX_VALUE;

    public static final ConfigKey<Integer> NODE_ID = ConfigKey.required(
            "node.id",
            ConfigType.INT,
            between(0, INT_MAX),
            HIGH,
            "The id of this node, unique in the cluster. With the controller role it must appear in "
                    + "`controller.quorum.voters`.");

    public static final ConfigKey<List<String>> PROCESS_ROLES = ConfigKey.required(
            "process.roles",
            ConfigType.LIST,
            Validators.nonEmptySubsetOf("broker", "controller"),
            HIGH,
            "The roles this node runs: `broker` (hosts partitions, serves clients), `controller` (a voter "
                    + "of the metadata quorum) or both (`broker,controller`).");

    public static final ConfigKey<HostPort> GRPC_LISTENER = ConfigKey.define(
            "grpc.listener",
            ConfigType.HOST_PORT,
            new HostPort("127.0.0.1", 9092),
            any(),
            HIGH,
            "Address the node's single gRPC port binds: client, replication and controller services, "
                    + "health checking and server reflection. Port 0 picks a free port (logged at start). "
                    + "Loopback by default: set `0.0.0.0:9092` to accept remote connections.");

    public static final ConfigKey<Integer> GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION = ConfigKey.define(
            "grpc.max.concurrent.calls.per.connection",
            ConfigType.INT,
            100,
            between(1, INT_MAX),
            LOW,
            "Calls one client connection may have open at once on the gRPC ports (HTTP/2 "
                    + "MAX_CONCURRENT_STREAMS, the minimum RFC 9113 recommends): a client opens more only as "
                    + "earlier ones end, so one connection cannot park an unbounded number of requests. Ferry's "
                    + "clients keep a few per broker: one produce stream, one fetch, admin calls.");

    public static final ConfigKey<Optional<HostPort>> GRPC_EXTERNAL_LISTENER = ConfigKey.define(
            "grpc.external.listener",
            ConfigType.OPTIONAL_HOST_PORT,
            Optional.empty(),
            any(),
            MEDIUM,
            "A second gRPC port, for clients outside the network the brokers share (the host of a Docker "
                    + "Compose cluster, as Kafka's external listener). A client connected here is sent to every "
                    + "broker's `grpc.external.advertised` address; one connected to `grpc.listener` to the "
                    + "`grpc.listener` addresses, which replication always uses. Empty: no second port.");

    public static final ConfigKey<Optional<HostPort>> GRPC_EXTERNAL_ADVERTISED = ConfigKey.define(
            "grpc.external.advertised",
            ConfigType.OPTIONAL_HOST_PORT,
            Optional.empty(),
            any(),
            MEDIUM,
            "The address at which outside clients reach this broker's `grpc.external.listener`, such as the "
                    + "host port Docker publishes it on. Empty: the external listener's own bound address.");

    public static final ConfigKey<Optional<ListenerAddress>> KAFKA_LISTENERS = ConfigKey.define(
            "kafka.listeners",
            ConfigType.OPTIONAL_LISTENER,
            Optional.empty(),
            any(),
            MEDIUM,
            "A port that speaks Kafka's binary protocol beside gRPC, in the syntax of Kafka's `listeners` "
                    + "(`PLAINTEXT://127.0.0.1:19092`), for Kafka's clients and tools on the same logs. One "
                    + "listener. `SSL://`: TLS only, with the `ssl.keystore.location` certificate, the TLS versions "
                    + "of `ssl.enabled.protocols` and client certificates as `ssl.client.auth` says (a client's "
                    + "principal then comes from `ssl.principal.mapping.rules`); a plaintext connection is "
                    + "closed. `SASL_SSL://`: TLS as `SSL`, and every client authenticates with a user's password "
                    + "(`sasl.enabled.mechanisms`, SCRAM-SHA-512) before any other request, and again within "
                    + "`connections.max.reauth.ms`. Port 0 picks a free port. Empty: no Kafka port.");

    public static final ConfigKey<Optional<ListenerAddress>> KAFKA_ADVERTISED_LISTENERS = ConfigKey.define(
            "kafka.advertised.listeners",
            ConfigType.OPTIONAL_LISTENER,
            Optional.empty(),
            any(),
            MEDIUM,
            "The address Kafka clients are told to reach this broker's `kafka.listeners` port at (Kafka's "
                    + "`advertised.listeners`), such as the host port Docker publishes it on. Empty: the "
                    + "listener's own address.");

    public static final ConfigKey<String> GRPC_LISTENER_SECURITY_PROTOCOL = listenerSecurityProtocol(
            "grpc.listener.security.protocol",
            HIGH,
            "`SSL`: `grpc.listener` serves TLS only (with the `ssl.keystore.location` certificate) and refuses "
                    + "plaintext connections; `SASL_SSL`: TLS as `SSL`, and every call must come from a client "
                    + "that authenticated with a password (`sasl.enabled.mechanisms`) or presented a trusted "
                    + "certificate (`ssl.client.auth`, which then may not be `none`: brokers reach each other "
                    + "with their certificates); `PLAINTEXT`: no encryption. `SASL_PLAINTEXT` is not offered: "
                    + "passwords are accepted only over TLS. Brokers reach each other (replica fetch) and the "
                    + "controllers on their `grpc.listener` with TLS when it is `SSL` or `SASL_SSL`, trusting "
                    + "`ssl.truststore.location`, so every node of a cluster sets the same value.");

    public static final ConfigKey<String> GRPC_EXTERNAL_LISTENER_SECURITY_PROTOCOL = listenerSecurityProtocol(
            "grpc.external.listener.security.protocol",
            MEDIUM,
            "As `grpc.listener.security.protocol`, for `grpc.external.listener`.");

    public static final ConfigKey<List<String>> SASL_ENABLED_MECHANISMS = ConfigKey.define(
            "sasl.enabled.mechanisms",
            ConfigType.LIST,
            List.of("SCRAM-SHA-512"),
            Validators.nonEmptySubsetOf("SCRAM-SHA-512"),
            MEDIUM,
            "The SASL mechanisms a `SASL_SSL` listener accepts, as Kafka's key. SCRAM-SHA-512 is the only one: "
                    + "the client proves it knows the password without sending it, and the broker verifies the "
                    + "proof against the user's salted credential.");

    public static final ConfigKey<Long> CONNECTIONS_MAX_REAUTH_MS = ConfigKey.define(
            "connections.max.reauth.ms",
            ConfigType.DURATION_MS,
            3_600_000L,
            between(1_000, INT_MAX),
            MEDIUM,
            "How long the session a client gets by authenticating on a `SASL_SSL` listener lasts; the client "
                    + "authenticates again before it ends (Kafka's key, whose re-authentication it drives; unlike "
                    + "Kafka's, it cannot be 0: a session that never ends would outlive a deleted user or a "
                    + "changed password).");

    public static final ConfigKey<String> SSL_KEYSTORE_TYPE = pemFormat("ssl.keystore.type", "ssl.keystore.location");

    public static final ConfigKey<String> SSL_KEYSTORE_LOCATION = pemFile(
            "ssl.keystore.location",
            "PEM file with this node's private key (unencrypted PKCS#8, `BEGIN PRIVATE KEY`) and its "
                    + "certificate chain (`BEGIN CERTIFICATE`, the node's own first) that its TLS listeners "
                    + "present. Its subject alternative names must hold the host clients and other nodes "
                    + "connect to, which they verify. Required when a listener's security protocol is `SSL`; "
                    + "read again when it changes (`ssl.reload.interval.ms`).");

    /** Also a client key ({@link ClientKeys#SSL_TRUSTSTORE_TYPE}). */
    public static final ConfigKey<String> SSL_TRUSTSTORE_TYPE =
            pemFormat("ssl.truststore.type", "ssl.truststore.location");

    public static final ConfigKey<String> SSL_TRUSTSTORE_LOCATION = pemFile(
            "ssl.truststore.location",
            "PEM file of the CA certificates a broker trusts when it connects to other nodes over TLS "
                    + "(`grpc.listener.security.protocol=SSL`), and that sign the client certificates its TLS "
                    + "listeners accept (`ssl.client.auth`). Empty: the JDK's default CAs. Read again when "
                    + "it changes (`ssl.reload.interval.ms`).");

    public static final ConfigKey<String> SSL_CLIENT_AUTH = ConfigKey.define(
            "ssl.client.auth",
            ConfigType.STRING,
            "none",
            Validators.oneOf("none", "requested", "required"),
            HIGH,
            "Whether the TLS listeners ask clients for a certificate (mutual TLS), as Kafka's key: `required`: a "
                    + "client without a certificate that `ssl.truststore.location` trusts is refused in the TLS "
                    + "handshake; `requested`: a client may present one, and a certificate that is not trusted is "
                    + "refused, but a client without one is accepted as `User:ANONYMOUS`; `none`: no client "
                    + "certificate is asked for. A client with a trusted certificate is the principal "
                    + "`ssl.principal.mapping.rules` makes of its subject. Brokers present their "
                    + "`ssl.keystore.location` certificate when they connect to other nodes, so a cluster may "
                    + "require client certificates on `grpc.listener`.");

    public static final ConfigKey<String> SSL_PRINCIPAL_MAPPING_RULES = ConfigKey.define(
            "ssl.principal.mapping.rules",
            ConfigType.STRING,
            "DEFAULT",
            any(),
            MEDIUM,
            "How the subject of a client certificate becomes a principal name, with Kafka's syntax: rules "
                    + "separated by commas, tried in order, the first that matches gives the name. `DEFAULT`: the "
                    + "subject's distinguished name as RFC 2253 writes it (`CN=alice,OU=eng,O=Example`). "
                    + "`RULE:pattern/replacement/`, optionally followed by `L` or `U`: when the Java regular "
                    + "expression matches the whole subject, the replacement (`$1` for a group), lower- or "
                    + "upper-cased; a `/` in either part is written `\\/`. Example: "
                    + "`RULE:^CN=([^,]+),OU=eng,.*$/$1/L,DEFAULT`. A client whose subject no rule matches is "
                    + "refused (UNAUTHENTICATED).");

    public static final ConfigKey<List<String>> SSL_ENABLED_PROTOCOLS = ConfigKey.define(
            "ssl.enabled.protocols",
            ConfigType.LIST,
            List.of("TLSv1.3", "TLSv1.2"),
            Validators.nonEmptySubsetOf("TLSv1.3", "TLSv1.2"),
            MEDIUM,
            "TLS versions the node accepts on its TLS listeners and offers to other nodes; anything older "
                    + "is refused.");

    public static final ConfigKey<Long> SSL_RELOAD_INTERVAL_MS = ConfigKey.define(
            "ssl.reload.interval.ms",
            ConfigType.DURATION_MS,
            60_000L,
            between(1, INT_MAX),
            LOW,
            "How often the node reads `ssl.keystore.location` and `ssl.truststore.location` again; when "
                    + "their content changed, new connections use the new certificates, established ones "
                    + "keep theirs. A file that does not read (half written) is logged and tried again next "
                    + "time; the node keeps the last good one.");

    /** The one authorizer Ferry has, under the class name Kafka users write for it. */
    public static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    public static final ConfigKey<String> AUTHORIZER_CLASS_NAME = ConfigKey.define(
            "authorizer.class.name",
            ConfigType.STRING,
            "",
            Validators.emptyOr(STANDARD_AUTHORIZER),
            HIGH,
            "Whether every call is authorized against the ACLs kept in the controllers' metadata, as Kafka's "
                    + "key: empty (the default) authorizes nothing, every caller may do everything; `"
                    + STANDARD_AUTHORIZER
                    + "` (Kafka's StandardAuthorizer, the only one) checks each call's operation on its "
                    + "resources and refuses it with TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED. Brokers "
                    + "and controllers then require CLUSTER_ACTION on the cluster from each other, so the "
                    + "nodes' principals belong in `super.users`.");

    public static final ConfigKey<String> SUPER_USERS = ConfigKey.define(
            "super.users",
            ConfigType.STRING,
            "",
            any(),
            HIGH,
            "Principals the authorizer allows everything, whatever the ACLs say, with Kafka's syntax: "
                    + "`type:name` separated by `;` (`User:CN=broker-1,O=Ferry;User:admin`). A name may contain "
                    + "`,` and `:`, as certificate subjects do.");

    public static final ConfigKey<Boolean> ALLOW_EVERYONE_IF_NO_ACL_FOUND = ConfigKey.define(
            "allow.everyone.if.no.acl.found",
            ConfigType.BOOLEAN,
            false,
            any(),
            MEDIUM,
            "What the authorizer answers for a resource that no ACL names at all: false (Kafka's default) "
                    + "refuses; true allows anyone, so that ACLs can be added resource by resource. A resource "
                    + "with an ACL for anyone is decided by its ACLs only.");

    public static final ConfigKey<HostPort> HTTP_LISTENER = ConfigKey.define(
            "http.listener",
            ConfigType.HOST_PORT,
            new HostPort("127.0.0.1", 9644),
            any(),
            MEDIUM,
            "Address of the HTTP server for `/metrics` (Prometheus text format) and `/health`. "
                    + "Port 0 picks a free port (logged at start).");

    public static final ConfigKey<String> HTTP_LISTENER_SECURITY_PROTOCOL = securityProtocol(
            "http.listener.security.protocol",
            MEDIUM,
            "`SSL`: `http.listener` serves HTTPS only, with the `ssl.keystore.location` certificate (reloaded "
                    + "as the gRPC listener's) and the TLS versions of `ssl.enabled.protocols`; Prometheus then "
                    + "scrapes with `scheme: https` and the cluster's CA. No client certificate is asked for: "
                    + "`/metrics` and `/health` hold no data a client may not see, only its confidentiality "
                    + "and the node's identity are at stake. `PLAINTEXT`: HTTP.");

    public static final ConfigKey<List<QuorumVoter>> CONTROLLER_QUORUM_VOTERS = ConfigKey.define(
            "controller.quorum.voters",
            ConfigType.QUORUM_VOTERS,
            List.of(),
            any(),
            HIGH,
            "The controller quorum, as `id@host:port` entries separated by commas (e.g. "
                    + "`1@ctl-1:9093,2@ctl-2:9093,3@ctl-3:9093`): each voter's `node.id` and the address of "
                    + "its Raft endpoint. Every node needs at least one voter; a controller's own `node.id` "
                    + "must be listed. Use 1 or 3 voters (5 allowed).");

    public static final ConfigKey<String> CONTROLLER_QUORUM_SECURITY_PROTOCOL = securityProtocol(
            "controller.quorum.security.protocol",
            HIGH,
            "`SSL`: the controllers' Raft port (their `controller.quorum.voters` address) speaks mutual TLS: "
                    + "each controller presents its `ssl.keystore.location` certificate and accepts a peer only "
                    + "with a certificate `ssl.truststore.location` trusts, so nothing without a certificate "
                    + "of the cluster's CA joins the quorum or reads its log. `PLAINTEXT`: no encryption. Every "
                    + "controller of a quorum sets the same value.");

    public static final ConfigKey<List<HostPort>> CONTROLLER_QUORUM_BOOTSTRAP_SERVERS = ConfigKey.define(
            "controller.quorum.bootstrap.servers",
            ConfigType.HOST_PORT_LIST,
            List.of(),
            any(),
            HIGH,
            "gRPC addresses (`host:port`, separated by commas) of controllers a broker registers with, "
                    + "heartbeats to and reads metadata from; any controller answers or forwards to the active "
                    + "one. Empty: on a node that is also a controller, its own `grpc.listener`; a broker-only "
                    + "node must set it.");

    public static final ConfigKey<Long> CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS = ConfigKey.define(
            "controller.quorum.election.timeout.ms",
            ConfigType.DURATION_MS,
            300L,
            between(1, INT_MAX),
            MEDIUM,
            "A controller that hears nothing from the quorum leader for a random time between this and "
                    + "twice this starts an election. Ratis looks once per such wait, so a dead leader is "
                    + "replaced one to four times this after its last heartbeat. Kafka's default is 1000; at "
                    + "300 a killed node that was both the active controller and a partition leader is "
                    + "replaced within about 1.2 s on a 2-core machine, with no needless election measured "
                    + "under full produce load there (docs/benchmarks.md). Lower values fail over sooner but "
                    + "risk an election whenever the leader stalls longer than this (a long GC pause, a "
                    + "starved CPU); `ferry_controller_raft_term` counts them.");

    public static final ConfigKey<Long> LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = ConfigKey.define(
            "leader.imbalance.check.interval.seconds",
            ConfigType.LONG,
            300L,
            atLeast(1),
            LOW,
            "How often, in seconds, the active controller checks for partitions led by a replica other "
                    + "than the preferred one (with `auto.leader.rebalance.enable`).");

    public static final ConfigKey<String> METADATA_LOG_DIR = ConfigKey.define(
            "metadata.log.dir",
            ConfigType.STRING,
            "",
            any(),
            HIGH,
            "Directory under which a controller keeps its Raft log and snapshots (in a "
                    + "`__cluster_metadata` sub-directory). Empty: the first directory of `log.dirs`.");

    public static final ConfigKey<List<String>> LOG_DIRS = ConfigKey.define(
            "log.dirs",
            ConfigType.LIST,
            List.of("/tmp/ferry-logs"),
            Validators.nonEmptyList(),
            HIGH,
            "Directories where partition logs are stored, separated by commas.");

    public static final ConfigKey<Long> BROKER_SESSION_TIMEOUT_MS = ConfigKey.define(
            "broker.session.timeout.ms",
            ConfigType.DURATION_MS,
            9_000L,
            between(1, INT_MAX),
            MEDIUM,
            "A broker that has not sent a heartbeat to the active controller for this long is fenced "
                    + "and its partition leaderships move. Must exceed `broker.heartbeat.interval.ms`. "
                    + "Kafka's default, 9 s: a broker process that died is fenced well before (see "
                    + "`broker.liveness.probe.after.ms`), so the session only decides when a host is down or cut "
                    + "off, and it must outlast heartbeats delayed by a loaded machine.");

    public static final ConfigKey<Long> BROKER_LIVENESS_PROBE_AFTER_MS = ConfigKey.define(
            "broker.liveness.probe.after.ms",
            ConfigType.DURATION_MS,
            750L,
            between(0, INT_MAX),
            MEDIUM,
            "A broker whose heartbeat is this late (or that a newly active controller has not heard from yet, "
                    + "or that another broker's replica fetch could not reach, whatever its heartbeat) is "
                    + "probed: the active controller opens a TCP connection to its `grpc.listener` address and closes "
                    + "it. A refused connection means no process listens there any more (the kernel of a host whose "
                    + "broker died, kill -9 included, refuses at once, while a live broker's port accepts even when "
                    + "its JVM is paused), and the broker is fenced then instead of after "
                    + "`broker.session.timeout.ms`. A probe that times out proves nothing. Keep it above "
                    + "`broker.heartbeat.interval.ms`, and the controllers able to reach that address. 0 turns probes "
                    + "off (Kafka has none: it waits for the session).");

    public static final ConfigKey<Long> BROKER_HEARTBEAT_INTERVAL_MS = ConfigKey.define(
            "broker.heartbeat.interval.ms",
            ConfigType.DURATION_MS,
            500L,
            between(1, INT_MAX),
            MEDIUM,
            "How often a broker sends a heartbeat to the active controller. A dead broker is probed "
                    + "`broker.liveness.probe.after.ms` after its last heartbeat, so this bounds how soon a kill is "
                    + "noticed when no follower reports it first (a broker also heartbeats at once when its "
                    + "replica fetch cannot reach a leader).");

    public static final ConfigKey<Long> METADATA_MAX_IDLE_INTERVAL_MS = ConfigKey.define(
            "metadata.max.idle.interval.ms",
            ConfigType.DURATION_MS,
            500L,
            between(0, INT_MAX),
            LOW,
            "The active controller appends an empty entry to the metadata log when it has appended nothing "
                    + "for this long, as Kafka's controller writes a NoOpRecord. It changes no metadata (brokers "
                    + "are not woken by it); it shows the other controllers a live leader and keeps Ratis from a "
                    + "loop it can fall into with only heartbeats to send (a follower that would not catch up "
                    + "until the next change). 0: never.");

    public static final ConfigKey<Long> BROKER_METADATA_MAX_STALENESS_MS = ConfigKey.define(
            "broker.metadata.max.staleness.ms",
            ConfigType.DURATION_MS,
            30_000L,
            between(1, INT_MAX),
            MEDIUM,
            "A broker reports NOT_SERVING (`/health` 503, gRPC health) when its metadata view is older than "
                    + "this: the last metadata poll that succeeded (and whatever it brought was applied) began longer "
                    + "ago. Polls run several times a second and succeed when nothing changed, so an idle broker stays "
                    + "current; one that cannot reach the controllers, or whose metadata thread is stuck or keeps "
                    + "failing to apply a view, turns NOT_SERVING after this long, and SERVING again after the next "
                    + "poll that succeeds.");

    public static final ConfigKey<Integer> NUM_PARTITIONS = ConfigKey.define(
            "num.partitions",
            ConfigType.INT,
            1,
            between(1, INT_MAX),
            MEDIUM,
            "Number of partitions of a topic created without an explicit count.");

    public static final ConfigKey<Integer> DEFAULT_REPLICATION_FACTOR = ConfigKey.define(
            "default.replication.factor",
            ConfigType.INT,
            1,
            between(1, Short.MAX_VALUE),
            MEDIUM,
            "Replication factor of a topic created without an explicit one.");

    public static final ConfigKey<Integer> MIN_INSYNC_REPLICAS = ConfigKey.define(
            "min.insync.replicas",
            ConfigType.INT,
            1,
            between(1, INT_MAX),
            HIGH,
            "With `acks=all`, a produce request is rejected with NOT_ENOUGH_REPLICAS when fewer replicas "
                    + "than this are in the ISR. With replication factor 3, 2 keeps every acknowledged "
                    + "record through the loss of any one broker.");

    public static final ConfigKey<Boolean> UNCLEAN_LEADER_ELECTION_ENABLE = ConfigKey.define(
            "unclean.leader.election.enable",
            ConfigType.BOOLEAN,
            false,
            any(),
            HIGH,
            "Whether a replica outside the ISR may become leader when no ISR member is alive: the "
                    + "partition comes back sooner, but acknowledged records may be lost.");

    public static final ConfigKey<Boolean> AUTO_LEADER_REBALANCE_ENABLE = ConfigKey.define(
            "auto.leader.rebalance.enable",
            ConfigType.BOOLEAN,
            true,
            any(),
            MEDIUM,
            "Whether the active controller moves leadership back to each partition's preferred "
                    + "(first) replica when it is in the ISR.");

    public static final ConfigKey<Long> LOG_SEGMENT_BYTES = ConfigKey.define(
            "log.segment.bytes",
            ConfigType.SIZE_BYTES,
            1_073_741_824L,
            between(1_048_576, INT_MAX),
            HIGH,
            "Size at which the active log segment is rolled.");

    public static final ConfigKey<Long> LOG_ROLL_MS = ConfigKey.define(
            "log.roll.ms",
            ConfigType.DURATION_MS,
            604_800_000L,
            atLeast(1),
            MEDIUM,
            "Age (from its first batch's timestamp) at which the active segment is rolled even if not full.");

    public static final ConfigKey<Long> LOG_RETENTION_MS = ConfigKey.define(
            "log.retention.ms",
            ConfigType.DURATION_MS,
            604_800_000L,
            atLeast(-1),
            HIGH,
            "A closed segment whose newest record is older than this is deleted. -1: no time limit.");

    public static final ConfigKey<Long> LOG_RETENTION_BYTES = ConfigKey.define(
            "log.retention.bytes",
            ConfigType.SIZE_BYTES,
            -1L,
            atLeast(-1),
            HIGH,
            "Oldest segments of a partition are deleted while its log is larger than this. -1: no size limit.");

    public static final ConfigKey<Long> LOG_RETENTION_CHECK_INTERVAL_MS = ConfigKey.define(
            "log.retention.check.interval.ms",
            ConfigType.DURATION_MS,
            300_000L,
            atLeast(1),
            LOW,
            "How often retention is checked.");

    public static final ConfigKey<Long> LOG_SEGMENT_MAPPING_IDLE_MS = ConfigKey.define(
            "log.segment.mapping.idle.ms",
            ConfigType.DURATION_MS,
            60_000L,
            atLeast(2),
            LOW,
            "How long a segment may go unread before it gives back its memory mappings (a sealed "
                    + "segment's `.log`, `.index` and `.timeindex`, the active segment's `.log`; its next reader "
                    + "maps them again). Checked every half of it, so they go between half of it and all of it "
                    + "after the last read (never while a reader still holds its bytes). A segment read at "
                    + "least that often, as by a follower or a consumer catching up, stays mapped. Each mapping "
                    + "counts against the process's `vm.max_map_count` (65,530 by default on Linux): the broker "
                    + "holds three per segment read within this time, plus two per partition whose active "
                    + "segment has index entries (one per `index.interval.bytes` appended). Not a Kafka key: "
                    + "Kafka maps a segment's two indexes on first use, until the segment is closed.");

    public static final ConfigKey<Long> LOG_FLUSH_INTERVAL_MESSAGES = ConfigKey.define(
            "log.flush.interval.messages",
            ConfigType.LONG,
            Long.MAX_VALUE,
            atLeast(1),
            LOW,
            "Records appended to a partition between two fsyncs. The default never forces one: durability "
                    + "comes from replication.");

    public static final ConfigKey<Long> LOG_FLUSH_INTERVAL_MS = ConfigKey.define(
            "log.flush.interval.ms",
            ConfigType.DURATION_MS,
            Long.MAX_VALUE,
            atLeast(0),
            LOW,
            "Longest time appended records stay unflushed. The default never forces an fsync.");

    public static final ConfigKey<Long> LOG_INDEX_INTERVAL_BYTES = ConfigKey.define(
            "log.index.interval.bytes",
            ConfigType.SIZE_BYTES,
            4_096L,
            between(0, INT_MAX),
            LOW,
            "Bytes of log between two entries of the sparse offset and time indexes.");

    public static final ConfigKey<Long> LOG_INDEX_SIZE_MAX_BYTES = ConfigKey.define(
            "log.index.size.max.bytes",
            ConfigType.SIZE_BYTES,
            10_485_760L,
            between(4, INT_MAX),
            LOW,
            "Preallocated size of a segment's offset and time index; a full index rolls the segment.");

    public static final ConfigKey<Long> MESSAGE_MAX_BYTES = ConfigKey.define(
            "message.max.bytes",
            ConfigType.SIZE_BYTES,
            1_048_588L,
            between(0, INT_MAX),
            HIGH,
            "Largest record batch the broker accepts (BATCH_TOO_LARGE above it).");

    public static final ConfigKey<String> COMPRESSION_TYPE = ConfigKey.define(
            "compression.type",
            ConfigType.STRING,
            "producer",
            Validators.oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"),
            MEDIUM,
            "Default `compression.type` of a topic, as Kafka's broker key: `producer` stores each batch in the "
                    + "codec its producer chose; a codec name makes the leader store every batch in that codec, "
                    + "converting batches in another (it decodes and re-encodes them, which costs the leader CPU).");

    public static final ConfigKey<String> LOG_MESSAGE_TIMESTAMP_TYPE = ConfigKey.define(
            "log.message.timestamp.type",
            ConfigType.STRING,
            "CreateTime",
            Validators.oneOf("CreateTime", "LogAppendTime"),
            MEDIUM,
            "Default `message.timestamp.type` of a topic: `CreateTime` keeps each record's producer timestamp; "
                    + "`LogAppendTime` makes the leader stamp its clock on every batch it appends.");

    public static final ConfigKey<Long> LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = ConfigKey.define(
            "log.message.timestamp.before.max.ms",
            ConfigType.LONG,
            Long.MAX_VALUE,
            atLeast(0),
            MEDIUM,
            "Default `message.timestamp.before.max.ms` of a topic: with `CreateTime`, a batch holding a record "
                    + "timestamp further than this in the past of the leader's clock is refused (INVALID_TIMESTAMP).");

    public static final ConfigKey<Long> LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS = ConfigKey.define(
            "log.message.timestamp.after.max.ms",
            ConfigType.LONG,
            3_600_000L,
            atLeast(0),
            MEDIUM,
            "Default `message.timestamp.after.max.ms` of a topic: with `CreateTime`, a batch holding a record "
                    + "timestamp further than this in the future of the leader's clock is refused "
                    + "(INVALID_TIMESTAMP), so a producer's wrong clock cannot keep segments from retention. "
                    + "Kafka 4's default.");

    public static final ConfigKey<String> LOG_CLEANUP_POLICY = ConfigKey.define(
            "log.cleanup.policy",
            ConfigType.STRING,
            "delete",
            Validators.cleanupPolicy(),
            MEDIUM,
            "Default `cleanup.policy` of a topic: `delete` removes whole segments by `log.retention.ms` and "
                    + "`log.retention.bytes`; `compact` keeps only the latest record of each key (log compaction); "
                    + "`compact,delete` does both.");

    public static final ConfigKey<Long> LOG_CLEANER_DELETE_RETENTION_MS = ConfigKey.define(
            "log.cleaner.delete.retention.ms",
            ConfigType.DURATION_MS,
            86_400_000L,
            atLeast(0),
            MEDIUM,
            "Default `delete.retention.ms` of a topic: how long a tombstone (a record with a key and no value) "
                    + "survives compaction after its segment was last written, so a consumer that began at the "
                    + "start of a compacted log sees the delete if it reads it within this time.");

    public static final ConfigKey<Long> LOG_CLEANER_MIN_COMPACTION_LAG_MS = ConfigKey.define(
            "log.cleaner.min.compaction.lag.ms",
            ConfigType.DURATION_MS,
            0L,
            atLeast(0),
            MEDIUM,
            "Default `min.compaction.lag.ms` of a topic: the least time a record stays uncompacted in a "
                    + "compacted log.");

    public static final ConfigKey<Long> LOG_CLEANER_MAX_COMPACTION_LAG_MS = ConfigKey.define(
            "log.cleaner.max.compaction.lag.ms",
            ConfigType.DURATION_MS,
            Long.MAX_VALUE,
            atLeast(1),
            MEDIUM,
            "Default `max.compaction.lag.ms` of a topic: the most time a record stays ineligible for "
                    + "compaction in a compacted log. Must be at least `log.cleaner.min.compaction.lag.ms`.");

    public static final ConfigKey<Double> LOG_CLEANER_MIN_CLEANABLE_RATIO = ConfigKey.define(
            "log.cleaner.min.cleanable.ratio",
            ConfigType.DOUBLE,
            0.5,
            Validators.fraction(),
            MEDIUM,
            "Default `min.cleanable.dirty.ratio` of a topic: a compacted log is cleaned once its dirty "
                    + "(not yet compacted) bytes are at least this share of its cleanable bytes.");

    public static final ConfigKey<Integer> LOG_CLEANER_THREADS = ConfigKey.define(
            "log.cleaner.threads",
            ConfigType.INT,
            1,
            between(0, INT_MAX),
            MEDIUM,
            "Background threads that compact logs, each cleaning one log at a time. 0: no log is compacted "
                    + "(a compacted topic's records then accumulate).");

    public static final ConfigKey<Long> LOG_CLEANER_DEDUPE_BUFFER_SIZE = ConfigKey.define(
            "log.cleaner.dedupe.buffer.size",
            ConfigType.SIZE_BYTES,
            134_217_728L,
            atLeast(0),
            MEDIUM,
            "Memory for deduplication, shared equally by the `log.cleaner.threads`: each thread's map of "
                    + "keys to latest offsets bounds how much of a log one pass compacts. Must give each thread "
                    + "at least 1 MiB.");

    public static final ConfigKey<Double> LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = ConfigKey.define(
            "log.cleaner.io.buffer.load.factor",
            ConfigType.DOUBLE,
            0.9,
            Validators.positiveFraction(),
            MEDIUM,
            "How full a cleaner thread's dedupe map may get: higher lets one pass compact more of a log, at "
                    + "the cost of more hash collisions.");

    public static final ConfigKey<Long> LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = ConfigKey.define(
            "log.cleaner.io.max.bytes.per.second",
            ConfigType.LONG,
            Long.MAX_VALUE,
            atLeast(1),
            MEDIUM,
            "Bytes per second the cleaner threads together read and write at most, on average, so compaction "
                    + "leaves disk bandwidth to produce and fetch. The default is no limit (Kafka's is "
                    + "`Double.MAX_VALUE`; Ferry's value is a whole number).");

    public static final ConfigKey<Long> LOG_CLEANER_BACKOFF_MS = ConfigKey.define(
            "log.cleaner.backoff.ms",
            ConfigType.DURATION_MS,
            15_000L,
            atLeast(1),
            MEDIUM,
            "How long a cleaner thread that found no log to clean sleeps before it looks again.");

    public static final ConfigKey<Integer> LOG_CLEANER_NICENESS = ConfigKey.define(
            "log.cleaner.niceness",
            ConfigType.INT,
            19,
            between(0, 19),
            MEDIUM,
            "The Linux nice value of the cleaner threads, 0 to 19 (the node's other threads run at 0). At 19 "
                    + "compaction takes the CPU time produce and fetch leave, and runs at full speed when they "
                    + "leave plenty; on CPUs kept busy by requests it gets about 1/70 of a request thread's share "
                    + "and falls behind. 0 lets it compete as an equal, as Kafka's cleaner does: compaction keeps "
                    + "up, at the cost of request throughput. Not a Kafka key. Where the value cannot be set (not "
                    + "Linux) the cleaner runs at 0 and the node logs a warning.");

    public static final ConfigKey<Long> PRODUCER_ID_EXPIRATION_MS = ConfigKey.define(
            "producer.id.expiration.ms",
            ConfigType.DURATION_MS,
            86_400_000L,
            atLeast(1),
            LOW,
            "How long a partition remembers an idempotent producer after the timestamp of its last batch. A "
                    + "producer forgotten this way may continue at any sequence; a retry of a batch older "
                    + "than this is no longer recognised.");

    public static final ConfigKey<Long> PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = ConfigKey.define(
            "producer.id.expiration.check.interval.ms",
            ConfigType.DURATION_MS,
            600_000L,
            atLeast(1),
            LOW,
            "How often each partition forgets the producers past `producer.id.expiration.ms`.");

    public static final ConfigKey<Integer> MAX_PRODUCER_IDS_PER_PARTITION = ConfigKey.define(
            "max.producer.ids.per.partition",
            ConfigType.INT,
            10_000,
            between(1, INT_MAX),
            LOW,
            "The most producer ids a partition leader remembers (each costs about 300 bytes of heap); a "
                    + "batch of one more producer id is refused until others expire. Not a Kafka key: "
                    + "Kafka bounds producer ids by throttling their allocation (KIP-936).");

    public static final ConfigKey<Long> FETCH_MAX_BYTES = ConfigKey.define(
            "fetch.max.bytes",
            ConfigType.SIZE_BYTES,
            16_777_216L,
            between(1_024, INT_MAX),
            MEDIUM,
            "Record bytes one consumer Fetch returns at most, summed over its partitions, whatever the request "
                    + "asks (Kafka's broker key, KIP-541). The first batch of the first partition with records is "
                    + "returned even if larger, so a consumer always progresses; a batch is never larger than "
                    + "the `message.max.bytes` or `max.message.bytes` it was accepted under. Kafka's default is "
                    + "55 MiB; Ferry's 16 MiB lets `fetch.response.queued.max.bytes` (64 MiB) hold four full answers at "
                    + "once, and a 16 MiB answer already amortises a call's cost.");

    public static final ConfigKey<Long> FETCH_RESPONSE_QUEUED_MAX_BYTES = ConfigKey.define(
            "fetch.response.queued.max.bytes",
            ConfigType.SIZE_BYTES,
            67_108_864L,
            atLeast(1),
            MEDIUM,
            "Record bytes of Fetch and ReplicaFetch answers the broker holds at once, over all connections: "
                    + "from before gRPC serializes an answer into its send buffers until the call ends (written "
                    + "out or cancelled). An answer takes what fits and carries the partitions whose records fit; "
                    + "when not even its first partition's records fit, it waits (at most its `max_wait_ms`, "
                    + "then it is answered without records) instead of allocating. A single answer larger than "
                    + "this is sent when no other is held, so the most held is the larger of this and one "
                    + "answer. Subscribe streams draw on the same bytes: a stream reads from a leader only when "
                    + "its `max_bytes` fit now (else it retries shortly, never waits here) and holds an answer "
                    + "until its transport has taken it.");

    public static final ConfigKey<Long> FETCH_RESPONSE_QUEUED_MAX_BYTES_PER_CONNECTION = ConfigKey.define(
            "fetch.response.queued.max.bytes.per.connection",
            ConfigType.SIZE_BYTES,
            33_554_432L,
            atLeast(1),
            MEDIUM,
            "As `fetch.response.queued.max.bytes`, for the calls of one client connection: a client that "
                    + "opens fetches and never reads their answers holds at most this much, and delays only "
                    + "its own fetches.");

    public static final ConfigKey<Long> FETCH_PURGATORY_MAX_BYTES = ConfigKey.define(
            "fetch.purgatory.max.bytes",
            ConfigType.SIZE_BYTES,
            33_554_432L,
            atLeast(1),
            MEDIUM,
            "Bytes of Fetch and ReplicaFetch requests (their size on the wire) that may wait at once in a "
                    + "long-poll for records or for room to answer, over all connections (Kafka's fetch "
                    + "purgatory). A request that finds no room is answered at once, as if its `max_wait_ms` "
                    + "were 0.");

    public static final ConfigKey<Long> FETCH_PURGATORY_MAX_BYTES_PER_CONNECTION = ConfigKey.define(
            "fetch.purgatory.max.bytes.per.connection",
            ConfigType.SIZE_BYTES,
            4_194_304L,
            atLeast(1),
            LOW,
            "As `fetch.purgatory.max.bytes`, for the requests of one client connection.");

    public static final ConfigKey<Long> REPLICA_LAG_TIME_MAX_MS = ConfigKey.define(
            "replica.lag.time.max.ms",
            ConfigType.DURATION_MS,
            30_000L,
            atLeast(1),
            HIGH,
            "A follower that has not caught up with the leader's log end for this long leaves the ISR.");

    public static final ConfigKey<Long> REPLICA_FETCH_WAIT_MAX_MS = ConfigKey.define(
            "replica.fetch.wait.max.ms",
            ConfigType.DURATION_MS,
            500L,
            between(0, INT_MAX),
            MEDIUM,
            "How long a leader holds a follower's fetch that finds nothing new. Must be below "
                    + "`replica.lag.time.max.ms`.");

    public static final ConfigKey<Long> REPLICA_FETCH_MIN_BYTES = ConfigKey.define(
            "replica.fetch.min.bytes",
            ConfigType.SIZE_BYTES,
            1L,
            between(0, INT_MAX),
            LOW,
            "A leader answers a follower's fetch as soon as this many bytes are available.");

    public static final ConfigKey<Long> REPLICA_FETCH_MAX_BYTES = ConfigKey.define(
            "replica.fetch.max.bytes",
            ConfigType.SIZE_BYTES,
            1_048_576L,
            between(1, INT_MAX),
            MEDIUM,
            "Bytes a follower fetches per partition at most (the first batch comes even if larger).");

    public static final ConfigKey<Long> REPLICA_FETCH_RESPONSE_MAX_BYTES = ConfigKey.define(
            "replica.fetch.response.max.bytes",
            ConfigType.SIZE_BYTES,
            10_485_760L,
            between(1, INT_MAX),
            MEDIUM,
            "Bytes one follower fetch asks for at most over all its partitions; as leader, the most a broker "
                    + "returns to one follower fetch whatever it asks (the first batch comes even if larger).");

    public static final ConfigKey<Long> REPLICA_FETCH_BACKOFF_MS = ConfigKey.define(
            "replica.fetch.backoff.ms",
            ConfigType.DURATION_MS,
            200L,
            between(0, INT_MAX),
            LOW,
            "Pause after a failed follower fetch. Shorter than Kafka's 1 s so a follower finds a new "
                    + "leader soon after a failover; a failing fetch to a dead broker costs little.");

    public static final ConfigKey<Long> REQUEST_TIMEOUT_MS = ConfigKey.define(
            "request.timeout.ms",
            ConfigType.DURATION_MS,
            30_000L,
            between(1, INT_MAX),
            MEDIUM,
            "Longest time a request is held before it is answered with an error: a broker's `acks=all` "
                    + "produce waiting for the ISR, a controller's request waiting for the active controller.");

    public static final ConfigKey<Integer> QUOTA_WINDOW_NUM = ConfigKey.define(
            "quota.window.num",
            ConfigType.INT,
            11,
            between(2, 1_000),
            LOW,
            "Samples a client's byte rate is measured over for its quotas (Kafka's key): the rate is what the "
                    + "client sent or received in the last `quota.window.num` windows of "
                    + "`quota.window.size.seconds`, and no throttle lasts longer than that span.");

    public static final ConfigKey<Integer> QUOTA_WINDOW_SIZE_SECONDS = ConfigKey.define(
            "quota.window.size.seconds",
            ConfigType.INT,
            1,
            between(1, 3_600),
            LOW,
            "Length of one quota sample, in seconds (Kafka's key).");

    public static final ConfigKey<Integer> OFFSETS_TOPIC_NUM_PARTITIONS = ConfigKey.define(
            "offsets.topic.num.partitions",
            ConfigType.INT,
            50,
            between(1, 10_000),
            HIGH,
            "Partitions of the internal topic `__consumer_offsets`, where consumer groups keep their state "
                    + "and committed offsets; a group's coordinator is the leader of the partition its id hashes "
                    + "to. Read when the topic is created (at the first FindCoordinator): changing it later "
                    + "changes nothing.");

    public static final ConfigKey<Integer> OFFSETS_TOPIC_REPLICATION_FACTOR = ConfigKey.define(
            "offsets.topic.replication.factor",
            ConfigType.INT,
            3,
            between(1, Short.MAX_VALUE),
            HIGH,
            "Replication factor of `__consumer_offsets` when it is created. Unlike Kafka, which refuses to "
                    + "create the topic until this many brokers are alive, Ferry creates it with as many "
                    + "replicas as there are live brokers, if fewer, and logs a warning.");

    public static final ConfigKey<Long> OFFSETS_TOPIC_SEGMENT_BYTES = ConfigKey.define(
            "offsets.topic.segment.bytes",
            ConfigType.SIZE_BYTES,
            104_857_600L,
            between(1_048_576, INT_MAX),
            MEDIUM,
            "`segment.bytes` of `__consumer_offsets`, kept small so that compaction, and a new coordinator's "
                    + "load of a partition, have little to read.");

    public static final ConfigKey<Integer> OFFSETS_RETENTION_MINUTES = ConfigKey.define(
            "offsets.retention.minutes",
            ConfigType.INT,
            10_080,
            between(1, INT_MAX),
            HIGH,
            "How long the committed offsets of a group without members are kept after its last commit (7 "
                    + "days); then they expire, and a consumer of the group starts from `auto.offset.reset`.");

    public static final ConfigKey<Long> OFFSET_METADATA_MAX_BYTES = ConfigKey.define(
            "offset.metadata.max.bytes",
            ConfigType.SIZE_BYTES,
            4_096L,
            between(0, Short.MAX_VALUE),
            LOW,
            "Longest metadata string a committed offset may carry, in UTF-8 bytes (OFFSET_METADATA_TOO_LARGE "
                    + "above it); the record stores its length in two bytes, as Kafka's.");

    public static final ConfigKey<Long> GROUP_CONSUMER_SESSION_TIMEOUT_MS = ConfigKey.define(
            "group.consumer.session.timeout.ms",
            ConfigType.DURATION_MS,
            45_000L,
            between(1, INT_MAX),
            HIGH,
            "A member of a consumer group that sends no heartbeat for this long is removed from the group and "
                    + "its partitions go to the others. Must exceed `group.consumer.heartbeat.interval.ms`.");

    public static final ConfigKey<Long> GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = ConfigKey.define(
            "group.consumer.heartbeat.interval.ms",
            ConfigType.DURATION_MS,
            3_000L,
            between(1, INT_MAX),
            MEDIUM,
            "How often members of a consumer group heartbeat (the coordinator tells each member); a member "
                    + "learns of a new assignment at its next heartbeat, so this bounds how long the partitions of a "
                    + "member that left or failed wait for a new owner. 3 s, as Kafka's classic consumer (Kafka's "
                    + "KIP-848 coordinator says 5 s): a heartbeat that changes nothing is one small call and writes "
                    + "no record. A member waiting for partitions that others are revoking is told to heartbeat every "
                    + "500 ms at most, so it gets them soon after their release.");

    public static final ConfigKey<Long> GROUP_CONSUMER_DISCONNECT_GRACE_MS = ConfigKey.define(
            "group.consumer.disconnect.grace.ms",
            ConfigType.DURATION_MS,
            9_000L,
            between(-1, INT_MAX),
            MEDIUM,
            "When the connection that a member of a consumer group last heartbeat on ends, the member is "
                    + "removed after at most this long, rather than after `group.consumer.session.timeout.ms`, "
                    + "unless it heartbeats again (on any connection). A process that dies has its connections "
                    + "closed by its kernel, so its partitions move on after this grace; a live client whose "
                    + "connection broke reconnects on its next heartbeat, well within it. Static members "
                    + "(`group.instance.id`) keep their whole session. Kafka has no such grace. Must be at least "
                    + "`group.consumer.heartbeat.interval.ms` and less than `group.consumer.session.timeout.ms`; "
                    + "left at its default, it is off when the default does not fit between them. -1: off.");

    public static final ConfigKey<Long> GROUP_MIN_SESSION_TIMEOUT_MS = ConfigKey.define(
            "group.min.session.timeout.ms",
            ConfigType.DURATION_MS,
            6_000L,
            between(1, INT_MAX),
            MEDIUM,
            "Shortest session timeout a member of Kafka's classic group protocol (JoinGroup, on the Kafka "
                    + "listener) may ask for; a shorter one is refused with INVALID_SESSION_TIMEOUT. A classic "
                    + "member's session is its own `session.timeout.ms`, not `group.consumer.session.timeout.ms`. "
                    + "At most `group.max.session.timeout.ms`.");

    public static final ConfigKey<Long> GROUP_MAX_SESSION_TIMEOUT_MS = ConfigKey.define(
            "group.max.session.timeout.ms",
            ConfigType.DURATION_MS,
            1_800_000L,
            between(1, INT_MAX),
            MEDIUM,
            "Longest session timeout a member of Kafka's classic group protocol may ask for; a longer one is "
                    + "refused with INVALID_SESSION_TIMEOUT. Bounds how long a classic member that stopped "
                    + "without leaving keeps its partitions.");

    public static final ConfigKey<Integer> GROUP_CONSUMER_MAX_SIZE = ConfigKey.define(
            "group.consumer.max.size",
            ConfigType.INT,
            Integer.MAX_VALUE,
            between(1, INT_MAX),
            MEDIUM,
            "Most members a consumer group may have; a member joining a full group is refused with "
                    + "GROUP_MAX_SIZE_REACHED.");

    public static final ConfigKey<List<String>> GROUP_CONSUMER_ASSIGNORS = ConfigKey.define(
            "group.consumer.assignors",
            ConfigType.LIST,
            List.of("uniform", "range"),
            Validators.nonEmptySubsetOf("uniform", "range"),
            MEDIUM,
            "The server-side assignors of consumer groups, by Kafka's short names; the first one assigns. "
                    + "`uniform`: balanced and sticky, moves as few partitions as balance needs. `range`: per "
                    + "topic, contiguous ranges in member id order, so co-partitioned topics line up.");

    public static final ConfigKey<Long> GROUP_LAG_REFRESH_INTERVAL_MS = ConfigKey.define(
            "group.lag.refresh.interval.ms",
            ConfigType.DURATION_MS,
            5_000L,
            between(1, INT_MAX),
            LOW,
            "How often a broker refreshes the consumer group metrics of the groups it coordinates "
                    + "(`ferry_group_lag_records`, `ferry_group_members`, `ferry_group_state`): it reads their "
                    + "committed offsets and asks each partition's leader for its end offset (ListOffsets). "
                    + "A refresh still running when the next is due makes that one skipped.");

    /** All keys above. */
    public static final ConfigDef DEFINITION = ConfigDef.of(
            NODE_ID,
            PROCESS_ROLES,
            GRPC_LISTENER,
            GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION,
            GRPC_EXTERNAL_LISTENER,
            GRPC_EXTERNAL_ADVERTISED,
            KAFKA_LISTENERS,
            KAFKA_ADVERTISED_LISTENERS,
            GRPC_LISTENER_SECURITY_PROTOCOL,
            GRPC_EXTERNAL_LISTENER_SECURITY_PROTOCOL,
            SSL_KEYSTORE_TYPE,
            SSL_KEYSTORE_LOCATION,
            SSL_TRUSTSTORE_TYPE,
            SSL_TRUSTSTORE_LOCATION,
            SSL_CLIENT_AUTH,
            SASL_ENABLED_MECHANISMS,
            CONNECTIONS_MAX_REAUTH_MS,
            SSL_PRINCIPAL_MAPPING_RULES,
            SSL_ENABLED_PROTOCOLS,
            SSL_RELOAD_INTERVAL_MS,
            AUTHORIZER_CLASS_NAME,
            SUPER_USERS,
            ALLOW_EVERYONE_IF_NO_ACL_FOUND,
            HTTP_LISTENER,
            HTTP_LISTENER_SECURITY_PROTOCOL,
            CONTROLLER_QUORUM_VOTERS,
            CONTROLLER_QUORUM_SECURITY_PROTOCOL,
            CONTROLLER_QUORUM_BOOTSTRAP_SERVERS,
            CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS,
            LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
            METADATA_LOG_DIR,
            METADATA_MAX_IDLE_INTERVAL_MS,
            LOG_DIRS,
            BROKER_SESSION_TIMEOUT_MS,
            BROKER_LIVENESS_PROBE_AFTER_MS,
            BROKER_HEARTBEAT_INTERVAL_MS,
            BROKER_METADATA_MAX_STALENESS_MS,
            NUM_PARTITIONS,
            DEFAULT_REPLICATION_FACTOR,
            MIN_INSYNC_REPLICAS,
            UNCLEAN_LEADER_ELECTION_ENABLE,
            AUTO_LEADER_REBALANCE_ENABLE,
            LOG_SEGMENT_BYTES,
            LOG_ROLL_MS,
            LOG_RETENTION_MS,
            LOG_RETENTION_BYTES,
            LOG_RETENTION_CHECK_INTERVAL_MS,
            LOG_SEGMENT_MAPPING_IDLE_MS,
            LOG_FLUSH_INTERVAL_MESSAGES,
            LOG_FLUSH_INTERVAL_MS,
            LOG_INDEX_INTERVAL_BYTES,
            LOG_INDEX_SIZE_MAX_BYTES,
            MESSAGE_MAX_BYTES,
            COMPRESSION_TYPE,
            LOG_MESSAGE_TIMESTAMP_TYPE,
            LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
            LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            LOG_CLEANUP_POLICY,
            LOG_CLEANER_DELETE_RETENTION_MS,
            LOG_CLEANER_MIN_COMPACTION_LAG_MS,
            LOG_CLEANER_MAX_COMPACTION_LAG_MS,
            LOG_CLEANER_MIN_CLEANABLE_RATIO,
            LOG_CLEANER_THREADS,
            LOG_CLEANER_DEDUPE_BUFFER_SIZE,
            LOG_CLEANER_IO_BUFFER_LOAD_FACTOR,
            LOG_CLEANER_IO_MAX_BYTES_PER_SECOND,
            LOG_CLEANER_BACKOFF_MS,
            LOG_CLEANER_NICENESS,
            PRODUCER_ID_EXPIRATION_MS,
            PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
            MAX_PRODUCER_IDS_PER_PARTITION,
            FETCH_MAX_BYTES,
            FETCH_RESPONSE_QUEUED_MAX_BYTES,
            FETCH_RESPONSE_QUEUED_MAX_BYTES_PER_CONNECTION,
            FETCH_PURGATORY_MAX_BYTES,
            FETCH_PURGATORY_MAX_BYTES_PER_CONNECTION,
            REPLICA_LAG_TIME_MAX_MS,
            REPLICA_FETCH_WAIT_MAX_MS,
            REPLICA_FETCH_MIN_BYTES,
            REPLICA_FETCH_MAX_BYTES,
            REPLICA_FETCH_RESPONSE_MAX_BYTES,
            REPLICA_FETCH_BACKOFF_MS,
            REQUEST_TIMEOUT_MS,
            QUOTA_WINDOW_NUM,
            QUOTA_WINDOW_SIZE_SECONDS,
            OFFSETS_TOPIC_NUM_PARTITIONS,
            OFFSETS_TOPIC_REPLICATION_FACTOR,
            OFFSETS_TOPIC_SEGMENT_BYTES,
            OFFSETS_RETENTION_MINUTES,
            OFFSET_METADATA_MAX_BYTES,
            GROUP_CONSUMER_SESSION_TIMEOUT_MS,
            GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS,
            GROUP_CONSUMER_DISCONNECT_GRACE_MS,
            GROUP_MIN_SESSION_TIMEOUT_MS,
            GROUP_MAX_SESSION_TIMEOUT_MS,
            GROUP_CONSUMER_MAX_SIZE,
            GROUP_CONSUMER_ASSIGNORS,
            GROUP_LAG_REFRESH_INTERVAL_MS);

    private NodeKeys() {}

    /** A key that says whether a connection is plaintext or TLS, with Kafka's names for the two. */
    static ConfigKey<String> securityProtocol(String name, Importance importance, String doc) {
        return ConfigKey.define(
                name, ConfigType.STRING, "PLAINTEXT", Validators.oneOf("PLAINTEXT", "SSL"), importance, doc);
    }

    /**
     * A listener's security protocol, or a client's: {@link #securityProtocol}'s values and {@code SASL_SSL}
     * (Kafka's names); {@code SASL_PLAINTEXT} is refused with the reason.
     */
    static ConfigKey<String> listenerSecurityProtocol(String name, Importance importance, String doc) {
        return ConfigKey.define(
                name,
                ConfigType.STRING,
                "PLAINTEXT",
                Validators.oneOfRefusing(
                        "SASL_PLAINTEXT",
                        "passwords are accepted only over TLS; use SASL_SSL",
                        "PLAINTEXT",
                        "SSL",
                        "SASL_SSL"),
                importance,
                doc);
    }

    /** The location of a PEM file, empty for none. */
    static ConfigKey<String> pemFile(String name, String doc) {
        return ConfigKey.define(name, ConfigType.STRING, "", any(), HIGH, doc);
    }

    /** The format of the file another key names: PEM, the one Ferry reads, as Kafka's {@code *.type} keys. */
    private static ConfigKey<String> pemFormat(String name, String fileKey) {
        return ConfigKey.define(
                name,
                ConfigType.STRING,
                "PEM",
                Validators.oneOf("PEM"),
                LOW,
                "Format of `" + fileKey + "`; PEM is the only one.");
    }
}
