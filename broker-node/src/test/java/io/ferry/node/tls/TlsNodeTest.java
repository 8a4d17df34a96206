package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node (broker and controller) whose gRPC listener serves TLS: a client with {@code security.protocol=SSL}
 * produces and consumes, a plaintext one is refused, and a certificate replaced on disk is what the next
 * connection gets. The broker reaches its controller over the same TLS listener, so the node turning healthy
 * (registered) shows that hop too.
 */
class TlsNodeTest {

    @TempDir
    Path dir;

    private Path keystore;
    private Path truststore;
    private TestCertificates ca;
    private FerryNode node;

    @BeforeEach
    void startNode() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        ca = files.authority();
        keystore = files.keystore();
        truststore = files.truststore();
        node = FerryNode.start(NodeConfig.load(
                Optional.empty(), Map.of(), files.tlsCombinedNode(dir.resolve("logs"), "ssl.reload.interval.ms=100")));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    private Map<String, String> tlsClient(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(more);
        config.put("bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort());
        config.put("security.protocol", "SSL");
        config.put("ssl.truststore.location", truststore.toString());
        return config;
    }

    @Test
    void aTlsClientProducesAndConsumes() throws Exception {
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(tlsClient(Map.of())))) {
            admin.createTopic("secret", 1, 1, Map.of());
        }
        BrokerTestSupport.assertProducesAndConsumes(tlsClient(Map.of()), "secret");
    }

    @Test
    void aPlaintextClientIsRefused() {
        Map<String, String> plaintext = Map.of(
                "bootstrap.servers",
                "127.0.0.1:" + node.grpcAddress().getPort(),
                "default.api.timeout.ms",
                "3000",
                "request.timeout.ms",
                "1000");
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(plaintext))) {
            FerryException e = assertThrows(FerryException.class, admin::describeCluster);
            assertTrue(e.getMessage().contains("accepts TLS only"), e.getMessage());
        }
    }

    @Test
    void aReplacedCertificateIsWhatTheNextConnectionGets() throws Exception {
        assertEquals("CN=node-1", servedCertificate().getSubjectX500Principal().getName());

        X509Certificate renewed = ca.writeKeystore(keystore, "node-1-renewed");

        await().atMost(Duration.ofSeconds(10)).until(() -> servedCertificate().equals(renewed));
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(tlsClient(Map.of())))) {
            assertEquals(1, admin.describeCluster().brokers().size());
        }
    }

    /** The certificate the node presents to a new TLS connection (one that trusts the test CA). */
    private X509Certificate servedCertificate() throws Exception {
        return TlsProbe.handshake(node.grpcAddress().getPort(), truststore, "TLSv1.3");
    }
}
