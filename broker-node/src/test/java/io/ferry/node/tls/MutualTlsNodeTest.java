package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node (broker and controller) with {@code ssl.client.auth=required}: a client with a certificate of the
 * cluster's CA produces and consumes; one without a certificate, and one with a certificate of another CA, is
 * refused in the handshake. The broker registers with the controller over the same listener, presenting its
 * own certificate, so the node turning healthy shows that hop too.
 */
class MutualTlsNodeTest {

    @TempDir
    Path dir;

    private TestCertificates ca;
    private Path truststore;
    private FerryNode node;

    @BeforeEach
    void startNode() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        ca = files.authority();
        truststore = files.truststore();
        node = FerryNode.start(NodeConfig.load(
                Optional.empty(), Map.of(), files.tlsCombinedNode(dir.resolve("logs"), "ssl.client.auth=required")));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    private Map<String, String> client(Optional<Path> keystore) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort());
        config.put("security.protocol", "SSL");
        config.put("ssl.truststore.location", truststore.toString());
        keystore.ifPresent(file -> config.put("ssl.keystore.location", file.toString()));
        return config;
    }

    @Test
    void aClientWithACertificateOfTheClusterProducesAndConsumes() throws Exception {
        Path keystore = dir.resolve("client.pem");
        ca.writeKeystore(keystore, "client-1");
        Map<String, String> client = client(Optional.of(keystore));
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(client))) {
            admin.createTopic("mutual", 1, 1, Map.of());
        }
        BrokerTestSupport.assertProducesAndConsumes(client, "mutual");
    }

    @Test
    void aClientWithoutACertificateIsRefusedInTheHandshake() {
        assertRefusedInTheHandshake(client(Optional.empty()));
    }

    @Test
    void aClientWithACertificateOfAnotherCaIsRefusedInTheHandshake() {
        Path keystore = dir.resolve("stranger.pem");
        TestCertificates.authority("another-ca").writeKeystore(keystore, "client-1");
        assertRefusedInTheHandshake(client(Optional.of(keystore)));
    }

    private static void assertRefusedInTheHandshake(Map<String, String> client) {
        client.put("default.api.timeout.ms", "3000");
        client.put("request.timeout.ms", "1000");
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(client))) {
            FerryException e = assertThrows(FerryException.class, admin::describeCluster);
            assertTrue(causes(e).stream().anyMatch(SSLException.class::isInstance), e.toString());
        }
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
