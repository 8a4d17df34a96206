package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import io.ferry.client.AdminConfig;
import io.ferry.client.BrokerInfo;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndTimestamp;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of real node processes on 127.0.0.1, the topology of bin/ferry-cluster: controllers 1..3
 * ({@code process.roles=controller}, one Raft quorum) and brokers 101..103 ({@code process.roles=broker}).
 * Every node has fixed ports chosen free at creation, so a restarted node comes back at the same
 * addresses with its data. Fault verbs: {@link #kill} (SIGKILL), {@link #stop} (SIGTERM),
 * {@link #restart}; queries: {@link #leader}, {@link #activeController}, {@link #awaitGroupCoordinator},
 * {@link #highWatermarks}.
 *
 * <p>{@link #close} stops every node still running, keeps the nodes' logs under
 * {@code target/node-logs/<cluster folder name>/} for a post-mortem and deletes the cluster folder
 * (configuration and data). Not thread-safe: the test thread drives it.
 */
final class ProcessCluster implements AutoCloseable {

    static final List<Integer> CONTROLLER_IDS = List.of(1, 2, 3);
    static final List<Integer> BROKER_IDS = List.of(101, 102, 103);

    private static final Path LOG_ARCHIVE = Path.of("target", "node-logs");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern METRIC = Pattern.compile("(?m)^([a-z_]+)\\{([^}]*)\\} (\\S+)$");
    private static final Pattern CONTROLLER_ACTIVE =
            Pattern.compile("(?m)^ferry_controller_active(?:\\{[^}]*\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final Path dir;
    private final Map<Integer, ClusterNode> nodes = new LinkedHashMap<>();
    /** Each broker's {@code kafka.listeners} port: every broker also speaks Kafka's protocol. */
    private final Map<Integer, Integer> kafkaPorts = new HashMap<>();

    private FerryAdmin admin;

    private ProcessCluster(Path dir) {
        this.dir = dir;
    }

    /**
     * A cluster in a fresh directory under target/ named after {@code name}, with {@code topic} created
     * for acks=all durability: replication factor 3 and {@code min.insync.replicas} 2, so a topic
     * survives the loss of one broker and an acknowledged record is on at least two.
     */
    static ProcessCluster startWithDurableTopic(String name, String topic, int partitions) throws IOException {
        return startWithDurableTopic(name, topic, partitions, List.of());
    }

    /** {@link #startWithDurableTopic(String, String, int)} with more {@code key=value} settings for every node. */
    static ProcessCluster startWithDurableTopic(String name, String topic, int partitions, List<String> settings)
            throws IOException {
        List<String> all = new ArrayList<>(List.of("min.insync.replicas=2"));
        all.addAll(settings);
        ProcessCluster cluster =
                start(Path.of("target", name + "-" + UUID.randomUUID()).toAbsolutePath(), all);
        try {
            cluster.admin().createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "2"));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Creates the nodes' folders under {@code dir}, starts all six nodes and waits until each is
     * healthy and the three brokers are registered and unfenced.
     *
     * @param settings {@code key=value} node settings for every node (e.g. {@code min.insync.replicas=2})
     */
    static ProcessCluster start(Path dir, List<String> settings) throws IOException {
        Repo.requireNodeJar();
        ProcessCluster cluster = new ProcessCluster(dir);
        System.out.println(
                "Starting a process cluster in " + dir + "; node logs will be kept in " + cluster.logArchive());
        try {
            Map<Integer, Integer> raftPorts = new HashMap<>();
            Map<Integer, Integer> grpcPorts = new HashMap<>();
            for (int id : CONTROLLER_IDS) {
                raftPorts.put(id, LoopbackPorts.freePort());
            }
            for (int id :
                    Stream.concat(CONTROLLER_IDS.stream(), BROKER_IDS.stream()).toList()) {
                grpcPorts.put(id, LoopbackPorts.freePort());
            }
            String voters = CONTROLLER_IDS.stream()
                    .map(id -> id + "@127.0.0.1:" + raftPorts.get(id))
                    .collect(Collectors.joining(","));
            String controllerBootstrap = CONTROLLER_IDS.stream()
                    .map(id -> "127.0.0.1:" + grpcPorts.get(id))
                    .collect(Collectors.joining(","));
            for (int id : CONTROLLER_IDS) {
                List<String> s = new ArrayList<>(List.of("controller.quorum.voters=" + voters));
                s.addAll(settings);
                cluster.add(new ClusterNode(
                        id,
                        ClusterNode.Role.CONTROLLER,
                        dir.resolve("controller-" + id),
                        grpcPorts.get(id),
                        LoopbackPorts.freePort(),
                        s));
            }
            for (int id : BROKER_IDS) {
                int kafkaPort = LoopbackPorts.freePort();
                cluster.kafkaPorts.put(id, kafkaPort);
                List<String> s = new ArrayList<>(List.of(
                        "controller.quorum.voters=" + voters,
                        "controller.quorum.bootstrap.servers=" + controllerBootstrap,
                        "kafka.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort));
                s.addAll(settings);
                cluster.add(new ClusterNode(
                        id,
                        ClusterNode.Role.BROKER,
                        dir.resolve("broker-" + (id - 100)),
                        grpcPorts.get(id),
                        LoopbackPorts.freePort(),
                        s));
            }
            for (ClusterNode node : cluster.nodes.values()) {
                node.start();
            }
            for (ClusterNode node : cluster.nodes.values()) {
                node.awaitHealthy(START_TIMEOUT);
            }
            cluster.awaitBrokersUnfenced(BROKER_IDS, START_TIMEOUT);
            return cluster;
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void add(ClusterNode node) {
        nodes.put(node.id(), node);
    }

    ClusterNode node(int id) {
        ClusterNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + "; nodes are " + nodes.keySet());
        }
        return node;
    }

    /** The brokers' Kafka listeners, for a Kafka client's {@code bootstrap.servers}. */
    String kafkaBootstrap() {
        return BROKER_IDS.stream().map(id -> "127.0.0.1:" + kafkaPorts.get(id)).collect(Collectors.joining(","));
    }

    /** The brokers' gRPC addresses, for a client's {@code bootstrap.servers}. */
    String bootstrap() {
        return BROKER_IDS.stream().map(id -> node(id).address()).collect(Collectors.joining(","));
    }

    /** An admin client on {@link #bootstrap}, created once and closed with the cluster. */
    FerryAdmin admin() {
        if (admin == null) {
            admin = new FerryAdmin(AdminConfig.of(Map.of(
                    AdminConfig.BOOTSTRAP_SERVERS,
                    bootstrap(),
                    AdminConfig.DEFAULT_API_TIMEOUT_MS,
                    20_000,
                    AdminConfig.REQUEST_TIMEOUT_MS,
                    5_000)));
        }
        return admin;
    }

    /** {@code kill -9} of node {@code id}. */
    void kill(int id) throws InterruptedException {
        node(id).kill();
    }

    /** SIGTERM to node {@code id}, waiting for its orderly exit. */
    void stop(int id) throws InterruptedException {
        node(id).stop();
    }

    /**
     * Starts a stopped or killed node again with its configuration and data and waits for /health; a
     * broker also until the controller has it unfenced.
     */
    void restart(int id) throws IOException {
        ClusterNode node = node(id);
        node.start();
        node.awaitHealthy(START_TIMEOUT);
        if (node.role() == ClusterNode.Role.BROKER) {
            awaitBrokersUnfenced(List.of(id), START_TIMEOUT);
        }
    }

    /** The running nodes' ids. */
    List<Integer> running() {
        return nodes.values().stream()
                .filter(ClusterNode::isRunning)
                .map(ClusterNode::id)
                .toList();
    }

    private void awaitBrokersUnfenced(List<Integer> ids, Duration timeout) {
        await("brokers " + ids + " registered and unfenced")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .ignoreException(FerryException.class)
                .until(() -> admin().describeCluster().brokers().stream()
                        .filter(b -> !b.fenced())
                        .map(BrokerInfo::id)
                        .toList()
                        .containsAll(ids));
    }

    /** The id of the active controller (the quorum leader); see {@link #awaitActiveController}. */
    int activeController() {
        return awaitActiveController(id -> true, Duration.ofSeconds(60));
    }

    /**
     * Waits until the brokers (DescribeCluster) name a running controller as the active one, that
     * controller agrees ({@code ferry_controller_active} is 1 on its /metrics) and {@code acceptable}
     * accepts it; returns its id.
     */
    int awaitActiveController(IntPredicate acceptable, Duration timeout) {
        return await("an active controller that the brokers and the controller agree on")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .ignoreException(FerryException.class)
                .until(
                        () -> admin().describeCluster().controllerLeaderId(),
                        id -> CONTROLLER_IDS.contains(id)
                                && acceptable.test(id)
                                && node(id).isRunning()
                                && reportsActive(node(id)));
    }

    private static boolean reportsActive(ClusterNode controller) {
        try {
            Matcher m = CONTROLLER_ACTIVE.matcher(controller.get("/metrics").body());
            return m.find() && Double.parseDouble(m.group(1)) == 1.0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The partition as the brokers' metadata describes it now. */
    PartitionInfo partition(TopicPartition tp) {
        TopicDescription topic = admin().describeTopics(List.of(tp.topic())).get(tp.topic());
        return topic.partitions().stream()
                .filter(p -> p.partition() == tp.partition())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no partition " + tp + " in " + topic));
    }

    /** The current leader's broker id, waiting (bounded) until the partition has one. */
    int leader(TopicPartition tp) {
        return awaitLeader(tp, id -> true, Duration.ofSeconds(60));
    }

    /** Waits until the partition's leader is a running broker that {@code acceptable} accepts; returns its id. */
    int awaitLeader(TopicPartition tp, IntPredicate acceptable, Duration timeout) {
        return await("a leader of " + tp)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .ignoreException(FerryException.class)
                .until(
                        () -> partition(tp).leader(),
                        id -> BROKER_IDS.contains(id) && node(id).isRunning() && acceptable.test(id));
    }

    /**
     * Waits until a running broker answers FindCoordinator for {@code groupId} with a running broker that
     * {@code acceptable} accepts; returns that coordinator's id. The first FindCoordinator of a cluster
     * creates {@code __consumer_offsets}.
     */
    int awaitGroupCoordinator(String groupId, IntPredicate acceptable, Duration timeout) {
        return await("a coordinator of group " + groupId)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .ignoreException(StatusRuntimeException.class)
                .until(
                        () -> findCoordinator(groupId),
                        id -> BROKER_IDS.contains(id) && node(id).isRunning() && acceptable.test(id));
    }

    /** One FindCoordinator, asked of the first running broker: the coordinator's id, -1 on an error. */
    private int findCoordinator(String groupId) throws InterruptedException {
        ClusterNode broker = BROKER_IDS.stream()
                .map(this::node)
                .filter(ClusterNode::isRunning)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no broker is running"));
        String[] hostPort = broker.address().split(":");
        ManagedChannel channel = NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]))
                .usePlaintext()
                .build();
        try {
            FindCoordinatorResponse response = GroupServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .findCoordinator(FindCoordinatorRequest.newBuilder()
                            .setGroupId(groupId)
                            .build());
            return response.getError().getCode() == ErrorCode.NONE ? response.getNodeId() : -1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The high watermark of each partition, from its leader (ListOffsets latest). */
    Map<TopicPartition, Long> highWatermarks(String topic, int partitions) {
        Map<TopicPartition, Long> specs = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), FerryAdmin.LATEST);
        }
        Map<TopicPartition, OffsetAndTimestamp> offsets = admin().listOffsets(specs);
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        specs.keySet()
                .forEach(tp -> out.put(
                        tp,
                        Optional.ofNullable(offsets.get(tp))
                                .map(OffsetAndTimestamp::offset)
                                .orElseThrow(() -> new AssertionError("no latest offset for " + tp))));
        return out;
    }

    /**
     * Waits until every replica of every partition of {@code topic} is running and has the same log end
     * offset, equal to the leader's high watermark (as each broker's /metrics reports them): nothing is
     * left to replicate.
     */
    void awaitReplicasCaughtUp(String topic, Duration timeout) {
        await("every replica of " + topic + " caught up with its leader")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .ignoreException(FerryException.class)
                .until(() -> laggingReplicas(topic), List::isEmpty);
    }

    /** Replicas not (yet) caught up, each as a line naming partition, broker and offsets. */
    List<String> laggingReplicas(String topic) throws IOException, InterruptedException {
        List<String> lagging = new ArrayList<>();
        TopicDescription description = admin().describeTopics(List.of(topic)).get(topic);
        Map<Integer, Map<String, Double>> metrics = new HashMap<>();
        for (PartitionInfo p : description.partitions()) {
            String tp = topic + "-" + p.partition();
            OptionalDouble hw = metric(metrics, p.leader(), "ferry_partition_high_watermark", topic, p.partition());
            for (int replica : p.replicas()) {
                OptionalDouble leo = metric(metrics, replica, "ferry_partition_log_end_offset", topic, p.partition());
                if (hw.isEmpty() || leo.isEmpty() || leo.getAsDouble() != hw.getAsDouble()) {
                    lagging.add(tp + " on broker " + replica + ": log end offset " + leo + ", leader " + p.leader()
                            + "'s high watermark " + hw);
                }
            }
        }
        return lagging;
    }

    private OptionalDouble metric(
            Map<Integer, Map<String, Double>> cache, int brokerId, String name, String topic, int partition)
            throws IOException, InterruptedException {
        if (!BROKER_IDS.contains(brokerId) || !node(brokerId).isRunning()) {
            return OptionalDouble.empty();
        }
        Map<String, Double> values = cache.get(brokerId);
        if (values == null) {
            values = new HashMap<>();
            Matcher m = METRIC.matcher(node(brokerId).get("/metrics").body());
            while (m.find()) {
                Map<String, String> labels = new HashMap<>();
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                if (labels.containsKey("topic") && labels.containsKey("partition")) {
                    values.put(
                            m.group(1) + "/" + labels.get("topic") + "/" + labels.get("partition"),
                            Double.parseDouble(m.group(3)));
                }
            }
            cache.put(brokerId, values);
        }
        Double v = values.get(name + "/" + topic + "/" + partition);
        return v == null || v.isNaN() ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Each replica's partition directory, by broker id, as the partition's replica list names them. */
    Map<Integer, Path> replicaDirs(TopicPartition tp, List<Integer> replicas) {
        Map<Integer, Path> dirs = new LinkedHashMap<>();
        replicas.forEach(id -> dirs.put(id, node(id).dataDir().resolve(tp.topic() + "-" + tp.partition())));
        return dirs;
    }

    /** SIGTERM to every running node, brokers first, each waited for. */
    void stopAll() throws InterruptedException {
        closeAdmin();
        List<ClusterNode> order = new ArrayList<>(nodes.values());
        order.sort(Comparator.comparing(n -> n.role() == ClusterNode.Role.CONTROLLER));
        for (ClusterNode node : order) {
            if (node.isRunning()) {
                node.stop();
            }
        }
    }

    private void closeAdmin() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    /** A folder of the test's own inside the cluster folder, for its client processes' files; {@link #close} deletes it. */
    Path folder(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /** Keeps a file of the test's own (a client process's log) with the nodes' logs in {@link #logArchive}. */
    void keep(Path file) throws IOException {
        Files.createDirectories(logArchive());
        Files.copy(file, logArchive().resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Where {@link #close} keeps the nodes' logs. */
    Path logArchive() {
        return LOG_ARCHIVE.resolve(dir.getFileName()).toAbsolutePath();
    }

    /** Stops whatever still runs, keeps the nodes' logs and deletes the cluster folder. */
    @Override
    public void close() {
        closeAdmin();
        nodes.values().forEach(ClusterNode::destroy);
        try {
            Files.createDirectories(logArchive());
            for (ClusterNode node : nodes.values()) {
                if (Files.exists(node.log())) {
                    Files.copy(
                            node.log(),
                            logArchive().resolve(node.log().getParent().getFileName() + ".log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("could not keep the node logs of " + dir + ": " + e);
        }
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "cluster in " + dir + " (running: " + running() + "; logs kept in " + logArchive() + ")";
    }
}
