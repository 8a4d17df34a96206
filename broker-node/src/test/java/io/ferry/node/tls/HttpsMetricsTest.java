package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigException;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * {@code http.listener.security.protocol=SSL}: {@code /metrics} and {@code /health} are served over HTTPS with the
 * node's certificate, which a client trusting the cluster's CA accepts, and plain HTTP gets nothing.
 */
class HttpsMetricsTest {

    @TempDir
    Path dir;

    private TestCertificates.NodeFiles files;
    private FerryNode node;

    @BeforeEach
    void startNode() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("http.listener.security.protocol=SSL");
        settings.add("ssl.keystore.location=" + files.keystore());
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void metricsAndHealthAreServedOverHttpsToAClientTrustingTheClusterCa() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsProbe.trusting(files.truststore()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String base = "https://127.0.0.1:" + node.httpAddress().getPort();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get(client, base + "/health").statusCode() == 200);
        HttpResponse<String> metrics = get(client, base + "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("ferry_"), metrics.body());
    }

    @Test
    void plainHttpGetsNoAnswer() {
        HttpClient plain =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(
                IOException.class,
                () -> get(plain, "http://127.0.0.1:" + node.httpAddress().getPort() + "/metrics"));
    }

    @Test
    void httpsWithoutAKeyStoreIsRefusedAtStartNamingTheKey() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("other")));
        settings.add("http.listener.security.protocol=SSL");
        ConfigException refused =
                assertThrows(ConfigException.class, () -> NodeConfig.load(Optional.empty(), Map.of(), settings));
        assertTrue(
                refused.getMessage().contains("ssl.keystore.location")
                        && refused.getMessage().contains("http.listener.security.protocol is SSL"),
                refused.getMessage());
    }

    private static HttpResponse<String> get(HttpClient client, String uri) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
