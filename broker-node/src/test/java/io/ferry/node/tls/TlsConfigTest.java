package io.ferry.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.testsupport.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings a node refuses at start, each with the key to fix. */
class TlsConfigTest {

    @TempDir
    Path dir;

    private List<String> tlsNode(String... more) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("grpc.listener.security.protocol=SSL");
        settings.addAll(List.of(more));
        return settings;
    }

    private Path keystore() {
        Path keystore = dir.resolve("node.pem");
        TestCertificates.authority("ca").writeKeystore(keystore, "node");
        return keystore;
    }

    private static void assertProblem(ConfigProblem problem, String key, String saying) {
        assertEquals(key, problem.key(), problem.toString());
        assertTrue(problem.message().contains(saying), problem.toString());
    }

    private static ConfigProblem onlyProblem(ConfigException e) {
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    private ConfigProblem startRefused(List<String> settings) {
        RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings), fatalErrors)
                        .close());
        return onlyProblem(e);
    }

    @Test
    void aTlsListenerNeedsAKeyStore() throws Exception {
        ConfigProblem problem = onlyProblem(
                assertThrows(ConfigException.class, () -> NodeConfig.load(Optional.empty(), Map.of(), tlsNode())));
        assertProblem(problem, "ssl.keystore.location", "grpc.listener.security.protocol is SSL");
    }

    @Test
    void aTlsQuorumNeedsAKeyStoreAndAReadableTrustStore() throws Exception {
        List<String> quorumOnly =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        quorumOnly.add("controller.quorum.security.protocol=SSL");
        ConfigProblem problem = onlyProblem(
                assertThrows(ConfigException.class, () -> NodeConfig.load(Optional.empty(), Map.of(), quorumOnly)));
        assertProblem(problem, "ssl.keystore.location", "controller.quorum.security.protocol is SSL");

        quorumOnly.add("ssl.keystore.location=" + keystore());
        quorumOnly.add("ssl.truststore.location=" + dir.resolve("missing-ca.pem"));
        assertProblem(startRefused(quorumOnly), "ssl.truststore.location", "no such file");
    }

    /** The one problem of a TLS node with a key store and {@code more} settings, found when it is read. */
    private ConfigProblem readRefused(String... more) throws Exception {
        List<String> settings = tlsNode("ssl.keystore.location=" + keystore());
        settings.addAll(List.of(more));
        return onlyProblem(
                assertThrows(ConfigException.class, () -> NodeConfig.load(Optional.empty(), Map.of(), settings)));
    }

    @Test
    void versionsOlderThanTls12AreRefused() throws Exception {
        assertProblem(readRefused("ssl.enabled.protocols=TLSv1.3,TLSv1.1"), "ssl.enabled.protocols", "TLSv1.1");
    }

    @Test
    void aMissingKeyStoreFileStopsTheStart() throws Exception {
        Path missing = dir.resolve("absent.pem");
        ConfigProblem problem = startRefused(tlsNode("ssl.keystore.location=" + missing));
        assertEquals("ssl.keystore.location", problem.key());
        assertEquals("cannot use " + missing + ": no such file", problem.message());
    }

    @Test
    void aKeyStoreWithoutItsKeyStopsTheStart() throws Exception {
        Path caOnly = TestCertificates.authority("ca").writeCa(dir.resolve("ca.pem"));
        ConfigProblem problem = startRefused(tlsNode("ssl.keystore.location=" + caOnly));
        assertProblem(problem, "ssl.keystore.location", "expected a private key");
    }

    @Test
    void aKeyInTheLegacyOpenSslFormIsRefusedWithTheCommandThatConvertsIt() throws Exception {
        Path keystore = keystore();
        Files.writeString(
                keystore,
                Files.readString(keystore)
                        .replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY")
                        .replace("END PRIVATE KEY", "END EC PRIVATE KEY"));
        ConfigProblem problem = startRefused(tlsNode("ssl.keystore.location=" + keystore));
        assertProblem(problem, "ssl.keystore.location", "openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void anUnreadableTrustStoreStopsTheStart() throws Exception {
        Path keystore = keystore();
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        ConfigProblem problem =
                startRefused(tlsNode("ssl.keystore.location=" + keystore, "ssl.truststore.location=" + notPem));
        assertProblem(problem, "ssl.truststore.location", "expected CA certificates");
    }

    @Test
    void anUnknownClientAuthIsRefused() throws Exception {
        assertProblem(readRefused("ssl.client.auth=always"), "ssl.client.auth", "always");
    }

    @Test
    void aMalformedPrincipalMappingRuleIsRefusedQuotingIt() throws Exception {
        assertProblem(
                readRefused("ssl.principal.mapping.rules=RULE:^CN=(.*?),.*$/$1/L, DEFAULT/U"),
                "ssl.principal.mapping.rules",
                "invalid rule 'DEFAULT/U'");
    }
}
