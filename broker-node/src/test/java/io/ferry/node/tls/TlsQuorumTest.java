package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three combined nodes whose controllers talk Raft over mutual TLS
 * ({@code controller.quorum.security.protocol=SSL}): the quorum elects a leader and commits (brokers
 * register, a topic is created), and the Raft port presents the node's certificate and refuses a peer that
 * has none.
 */
class TlsQuorumTest {

    @TempDir
    Path dir;

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final List<FerryNode> nodes = new ArrayList<>();
    private final List<Integer> raftPorts = new ArrayList<>();
    private final List<String> grpc = new ArrayList<>();
    private TestCertificates.NodeFiles files;

    @BeforeEach
    void startQuorum() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        List<String> voters = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            raftPorts.add(LoopbackPorts.freePort());
            voters.add(id + "@127.0.0.1:" + raftPorts.get(id - 1));
            grpc.add("127.0.0.1:" + LoopbackPorts.freePort());
        }
        for (int id = 1; id <= 3; id++) {
            Map<String, String> settings = new TreeMap<>();
            settings.put("node.id", Integer.toString(id));
            settings.put("process.roles", "broker,controller");
            settings.put("controller.quorum.voters", String.join(",", voters));
            settings.put("controller.quorum.security.protocol", "SSL");
            settings.put("ssl.keystore.location", files.keystore().toString());
            settings.put("ssl.truststore.location", files.truststore().toString());
            settings.put("controller.quorum.election.timeout.ms", "300");
            settings.put("grpc.listener", grpc.get(id - 1));
            settings.put("http.listener", "127.0.0.1:0");
            settings.put("log.dirs", dir.resolve("node-" + id).toString());
            nodes.add(FerryNode.start(NodeConfig.of(settings), fatalErrors));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(FerryNode::isHealthy));
    }

    @AfterEach
    void stopQuorum() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        assertEquals(List.of(), fatalErrors.recorded());
    }

    @Test
    void aQuorumOverMutualTlsCommits() throws Exception {
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", String.join(",", grpc))))) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                admin.createTopic("over-tls", 1, 3, Map.of());
                return true;
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.describeTopics(List.of("over-tls"))
                                    .get("over-tls")
                                    .partitions()
                                    .get(0)
                                    .isr()
                                    .size()
                            == 3);
        }
    }

    @Test
    void theRaftPortPresentsTheNodeCertificateAndRefusesAPeerWithoutOne() throws Exception {
        X509Certificate presented = TlsProbe.handshake(raftPorts.get(0), files.truststore(), "TLSv1.3");
        assertEquals("CN=node-1", presented.getSubjectX500Principal().getName());

        // In TLS 1.2 the server's demand for a client certificate fails the handshake itself: the server
        // sends an alert or just closes the connection (a broken pipe on the client's next write).
        assertThrows(IOException.class, () -> TlsProbe.handshake(raftPorts.get(0), files.truststore(), "TLSv1.2"));
    }
}
