package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.PartitionInfo;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.testsupport.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller and two brokers whose gRPC listeners all serve TLS only, with and without requiring client
 * certificates: the brokers register with the controller and the follower fetches from the leader over TLS, so an {@code acks=all} produce with
 * {@code min.insync.replicas=2} is acknowledged only because replication works.
 */
class TlsReplicationTest {

    @TempDir
    Path dir;

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final List<FerryNode> nodes = new ArrayList<>();
    private final Map<String, String> tls = new TreeMap<>();
    private String brokers;

    /** Starts the cluster, its listeners asking for client certificates as {@code sslClientAuth} says. */
    void startCluster(String sslClientAuth) throws Exception {
        // One certificate for all three nodes: it names 127.0.0.1, where each of them listens.
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        tls.put("grpc.listener.security.protocol", "SSL");
        tls.put("ssl.keystore.location", files.keystore().toString());
        tls.put("ssl.truststore.location", files.truststore().toString());
        tls.put("ssl.client.auth", sslClientAuth);

        int raft = LoopbackPorts.freePort();
        int controllerPort = LoopbackPorts.freePort();
        String voters = "1@127.0.0.1:" + raft;
        start(Map.of(
                "node.id",
                "1",
                "process.roles",
                "controller",
                "controller.quorum.voters",
                voters,
                "controller.quorum.election.timeout.ms",
                "300",
                "grpc.listener",
                "127.0.0.1:" + controllerPort,
                "log.dirs",
                dir.resolve("controller").toString()));
        List<String> addresses = new ArrayList<>();
        for (int id = 101; id <= 102; id++) {
            int port = LoopbackPorts.freePort();
            addresses.add("127.0.0.1:" + port);
            start(Map.of(
                    "node.id",
                    Integer.toString(id),
                    "process.roles",
                    "broker",
                    "controller.quorum.voters",
                    voters,
                    "controller.quorum.bootstrap.servers",
                    "127.0.0.1:" + controllerPort,
                    "grpc.listener",
                    "127.0.0.1:" + port,
                    "log.dirs",
                    dir.resolve("broker-" + id).toString(),
                    "min.insync.replicas",
                    "2"));
        }
        brokers = String.join(",", addresses);
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(FerryNode::isHealthy));
    }

    private void start(Map<String, String> settings) throws Exception {
        Map<String, String> all = new TreeMap<>(tls);
        all.put("http.listener", "127.0.0.1:0");
        all.putAll(settings);
        nodes.add(FerryNode.start(NodeConfig.of(all), fatalErrors));
    }

    @AfterEach
    void stopCluster() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        assertEquals(List.of(), fatalErrors.recorded());
    }

    private Map<String, String> client(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(more);
        config.put("bootstrap.servers", brokers);
        config.put("security.protocol", "SSL");
        config.put("ssl.truststore.location", tls.get("ssl.truststore.location"));
        // The nodes' own certificate serves as the client's: it is one the cluster's CA signed.
        config.put("ssl.keystore.location", tls.get("ssl.keystore.location"));
        return config;
    }

    @Test
    void twoTlsBrokersReplicate() throws Exception {
        startCluster("none");
        assertAcksAllProduceReplicates();
    }

    /**
     * Replica fetch and the brokers' registrations pass listeners that refuse a connection without a
     * certificate of the cluster's CA: each broker presents its own.
     */
    @Test
    void brokersRequiringClientCertificatesReplicate() throws Exception {
        startCluster("required");
        assertAcksAllProduceReplicates();
    }

    private void assertAcksAllProduceReplicates() throws Exception {
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(client(Map.of())))) {
            admin.createTopic("replicated", 1, 2, Map.of());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.describeTopics(List.of("replicated"))
                                    .get("replicated")
                                    .partitions()
                                    .get(0)
                                    .isr()
                                    .size()
                            == 2);
        }
        List<Long> offsets = new ArrayList<>();
        try (FerryProducer producer =
                new FerryProducer(ProducerConfig.of(client(Map.of("acks", "all", "linger.ms", "1"))))) {
            for (int i = 0; i < 5; i++) {
                RecordMetadata acked = producer.send(
                                new ProducerRecord("replicated", 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
                offsets.add(acked.offset());
            }
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets);
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(client(Map.of())))) {
            PartitionInfo partition = admin.describeTopics(List.of("replicated"))
                    .get("replicated")
                    .partitions()
                    .get(0);
            assertEquals(2, partition.isr().size(), partition.toString());
        }
    }
}
