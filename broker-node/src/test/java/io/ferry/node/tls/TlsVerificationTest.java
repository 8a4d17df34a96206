package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What TLS must not accept: a certificate from a CA the peer does not trust, one for another host, a TLS
 * version the node leaves out. A
 * combined node's broker reaches its own controller over TLS, so a node that cannot verify itself never
 * registers and never turns healthy.
 */
class TlsVerificationTest {

    @TempDir
    Path dir;

    private FerryNode node;

    private void startNode(Path keystore, Path truststore, String... more) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.addAll(List.of(
                "grpc.listener.security.protocol=SSL",
                "ssl.keystore.location=" + keystore,
                "ssl.truststore.location=" + truststore));
        settings.addAll(List.of(more));
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private void assertNeverHealthy() {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !node.isHealthy());
    }

    private void assertClientRefused(Path truststore) {
        Map<String, String> client = Map.of(
                "bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort(),
                "security.protocol", "SSL",
                "ssl.truststore.location", truststore.toString(),
                "default.api.timeout.ms", "2000",
                "request.timeout.ms", "1000");
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(client))) {
            assertThrows(FerryException.class, admin::describeCluster);
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedByBrokersAndClients() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        Path otherCa = TestCertificates.authority("other-ca").writeCa(dir.resolve("other-ca.pem"));
        startNode(files.keystore(), otherCa);

        assertNeverHealthy();
        assertClientRefused(otherCa);
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByBrokersAndClients() throws Exception {
        TestCertificates ca = TestCertificates.authority("ferry-test-ca");
        Path keystore = dir.resolve("node.pem");
        // The node and its clients connect to 127.0.0.1, which this certificate does not name.
        ca.writeKeystore(keystore, "node-1", "node-1.example");
        Path truststore = ca.writeCa(dir.resolve("ca.pem"));
        startNode(keystore, truststore);

        assertNeverHealthy();
        assertClientRefused(truststore);
    }

    @Test
    void aVersionLeftOutOfSslEnabledProtocolsIsRefused() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        startNode(files.keystore(), files.truststore(), "ssl.enabled.protocols=TLSv1.3");
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        int port = node.grpcAddress().getPort();

        assertThrows(SSLHandshakeException.class, () -> TlsProbe.handshake(port, files.truststore(), "TLSv1.2"));
        TlsProbe.handshake(port, files.truststore(), "TLSv1.3");
    }

    @Test
    void aTrustStoreRewrittenWithTheRightCaIsUsedWithoutARestart() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        Path truststore = dir.resolve("trusted.pem");
        TestCertificates.authority("other-ca").writeCa(truststore);
        startNode(files.keystore(), truststore, "ssl.reload.interval.ms=100");
        assertNeverHealthy();

        files.authority().writeCa(truststore);

        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }
}
