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
import io.ferry.testsupport.LoopbackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the external listener only: clients outside connect there with TLS, the brokers' own listener
 * stays plaintext (so no trust store is needed), and each listener refuses what it does not serve.
 */
class TlsExternalListenerTest {

    @TempDir
    Path dir;

    private FerryNode node;
    private String external;
    private String ca;

    @BeforeEach
    void startNode() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        ca = files.truststore().toString();
        external = "127.0.0.1:" + LoopbackPorts.freePort();
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.addAll(List.of(
                "grpc.external.listener=" + external,
                "grpc.external.listener.security.protocol=SSL",
                "ssl.keystore.location=" + files.keystore()));
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void outsideClientsUseTlsWhileTheInternalListenerStaysPlaintext() throws Exception {
        Map<String, String> outside =
                Map.of("bootstrap.servers", external, "security.protocol", "SSL", "ssl.truststore.location", ca);
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(outside))) {
            admin.createTopic("outside", 1, 1, Map.of());
        }
        BrokerTestSupport.assertProducesAndConsumes(outside, "outside");

        String internal = "127.0.0.1:" + node.grpcAddress().getPort();
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", internal)))) {
            assertEquals(1, admin.describeCluster().brokers().size());
        }
        Map<String, String> plaintextOutside =
                Map.of("bootstrap.servers", external, "default.api.timeout.ms", "2000", "request.timeout.ms", "1000");
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(plaintextOutside))) {
            FerryException e = assertThrows(FerryException.class, admin::describeCluster);
            assertTrue(e.getMessage().contains("accepts TLS only"), e.getMessage());
        }
    }
}
