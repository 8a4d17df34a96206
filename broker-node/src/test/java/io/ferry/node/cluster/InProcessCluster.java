package io.ferry.node.cluster;

import static org.awaitility.Awaitility.await;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.PartitionInfo;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Three controller nodes and three broker nodes in one JVM, on loopback ports, each with its own
 * directory: the cluster of docker-compose.yml, small and fast enough for integration tests of
 * replication. Brokers are 101..103, controllers 1..3. A broker can be stopped (a clean stop: controlled
 * shutdown, then close) and started again on the same directory and ports. An Error on a node's thread is
 * recorded in {@link #fatalErrors} instead of halting the test JVM.
 */
final class InProcessCluster implements AutoCloseable {

    private final Path root;
    private final Map<String, String> brokerSettings;
    private final String voters;
    private final String bootstrap;
    private final Map<Integer, Integer> brokerPorts = new TreeMap<>();
    private final Map<Integer, FerryNode> controllers = new TreeMap<>();
    private final Map<Integer, FerryNode> brokers = new TreeMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();

    /**
     * @param extraSettings settings for every node (e.g. a short leader.imbalance check)
     */
    InProcessCluster(Path root, Map<String, String> extraSettings) throws Exception {
        this.root = root;
        this.brokerSettings = extraSettings;
        List<String> voterList = new ArrayList<>();
        List<String> grpc = new ArrayList<>();
        Map<Integer, List<Integer>> controllerPorts = new TreeMap<>();
        for (int id = 1; id <= 3; id++) {
            int raft = LoopbackPorts.freePort();
            int port = LoopbackPorts.freePort();
            controllerPorts.put(id, List.of(raft, port));
            voterList.add(id + "@127.0.0.1:" + raft);
            grpc.add("127.0.0.1:" + port);
        }
        this.voters = String.join(",", voterList);
        this.bootstrap = String.join(",", grpc);
        for (int id = 1; id <= 3; id++) {
            brokerPorts.put(100 + id, LoopbackPorts.freePort());
        }
        List<Thread> starting = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> c : controllerPorts.entrySet()) {
            // Controllers start together: each waits for a quorum of the others.
            Thread t = new Thread(() -> {
                try {
                    Map<String, String> settings = new TreeMap<>(extraSettings);
                    settings.putAll(Map.of(
                            "node.id",
                            c.getKey().toString(),
                            "process.roles",
                            "controller",
                            "controller.quorum.voters",
                            voters,
                            "grpc.listener",
                            "127.0.0.1:" + c.getValue().get(1),
                            "http.listener",
                            "127.0.0.1:0",
                            "log.dirs",
                            root.resolve("controller-" + c.getKey()).toString()));
                    FerryNode node = FerryNode.start(NodeConfig.of(settings), fatalErrors);
                    synchronized (controllers) {
                        controllers.put(c.getKey(), node);
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            t.start();
            starting.add(t);
        }
        for (Thread t : starting) {
            t.join();
        }
        if (!failures.isEmpty()) {
            close();
            throw failures.get(0);
        }
        for (int id : brokerPorts.keySet()) {
            startBroker(id);
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> brokers.values().stream().allMatch(FerryNode::isHealthy));
    }

    /** Starts (or restarts on the same directory and port) broker {@code id}. */
    void startBroker(int id) throws Exception {
        Map<String, String> settings = new TreeMap<>(brokerSettings);
        settings.putAll(Map.of(
                "node.id",
                Integer.toString(id),
                "process.roles",
                "broker",
                "controller.quorum.voters",
                voters,
                "controller.quorum.bootstrap.servers",
                bootstrap,
                "grpc.listener",
                "127.0.0.1:" + brokerPorts.get(id),
                "http.listener",
                "127.0.0.1:0",
                "log.dirs",
                root.resolve("broker-" + id).toString(),
                "default.replication.factor",
                "3",
                "min.insync.replicas",
                "2"));
        brokers.put(id, FerryNode.start(NodeConfig.of(settings), fatalErrors));
    }

    /** A clean stop of broker {@code id}: controlled shutdown first, as on SIGTERM. */
    void stopBroker(int id) {
        FerryNode node = brokers.remove(id);
        if (node != null) {
            node.close();
        }
    }

    Optional<FerryNode> broker(int id) {
        return Optional.ofNullable(brokers.get(id));
    }

    /** A plaintext channel to broker {@code id}'s gRPC port, shut down with the cluster. */
    ManagedChannel channelTo(int id) {
        ManagedChannel channel = BrokerTestSupport.channel(brokers.get(id));
        synchronized (channels) {
            channels.add(channel);
        }
        return channel;
    }

    /** Every broker's gRPC address, for a client's bootstrap.servers. */
    String bootstrapServers() {
        return brokerPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    FerryAdmin admin() {
        return new FerryAdmin(
                AdminConfig.of(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", "10000")));
    }

    /** The partition as the controllers describe it now. */
    static PartitionInfo describe(FerryAdmin admin, String topic, int partition) {
        return admin.describeTopics(List.of(topic)).get(topic).partitions().get(partition);
    }

    @Override
    public void close() {
        synchronized (channels) {
            channels.forEach(ManagedChannel::shutdownNow);
            channels.clear();
        }
        brokers.values().forEach(FerryNode::close);
        brokers.clear();
        synchronized (controllers) {
            controllers.values().forEach(FerryNode::close);
            controllers.clear();
        }
    }
}
