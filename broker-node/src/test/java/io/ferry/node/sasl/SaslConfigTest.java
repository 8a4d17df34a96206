package io.ferry.node.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.testsupport.LoopbackPorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SASL settings of a node: what it accepts and what it refuses, each refusal naming the key to fix. */
class SaslConfigTest {

    @TempDir
    Path dir;

    private NodeConfig load(String... more) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("ssl.keystore.location=" + dir.resolve("node.pem"));
        settings.addAll(List.of(more));
        return NodeConfig.load(Optional.empty(), Map.of(), settings);
    }

    private ConfigProblem onlyProblem(String... settings) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(settings));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void saslSslIsTlsWithSessionsAndItsDefaultsAreKafkasMechanismAndAnHour() throws Exception {
        NodeConfig config = load("grpc.listener.security.protocol=SASL_SSL", "ssl.client.auth=requested");

        assertTrue(config.grpcListenerTls());
        assertTrue(config.grpcListenerSasl());
        assertEquals(Set.of(ScramMechanism.SCRAM_SHA_512), config.saslEnabledMechanisms());
        assertEquals(3_600_000L, config.connectionsMaxReauthMs());
    }

    @Test
    void theExternalListenerMayBeSaslSslAlone() throws Exception {
        NodeConfig config = load(
                "grpc.listener.security.protocol=SSL",
                "grpc.external.listener=127.0.0.1:0",
                "grpc.external.listener.security.protocol=SASL_SSL");

        assertFalse(config.grpcListenerSasl());
        assertTrue(config.grpcExternalListenerSasl());
        assertTrue(config.grpcExternalListenerTls());
    }

    @Test
    void saslOverPlaintextIsRefusedBecausePasswordsTravelOnlyOverTls() {
        for (String key : List.of("grpc.listener.security.protocol", "grpc.external.listener.security.protocol")) {
            ConfigProblem problem = onlyProblem("grpc.external.listener=127.0.0.1:0", key + "=SASL_PLAINTEXT");

            assertEquals(key, problem.key());
            assertTrue(problem.message().contains("passwords are accepted only over TLS"), problem.toString());
        }
    }

    @Test
    void aSaslSslGrpcListenerNeedsCertificatesForTheBrokersThemselves() {
        ConfigProblem problem = onlyProblem("grpc.listener.security.protocol=SASL_SSL");

        assertEquals("ssl.client.auth", problem.key());
        assertTrue(problem.message().contains("with their certificates"), problem.toString());
    }

    @Test
    void onlyScramSha512IsAMechanism() {
        ConfigProblem problem = onlyProblem("sasl.enabled.mechanisms=PLAIN");

        assertEquals("sasl.enabled.mechanisms", problem.key());
    }

    @Test
    void aSessionMustEnd() {
        ConfigProblem problem = onlyProblem("connections.max.reauth.ms=0");

        assertEquals("connections.max.reauth.ms", problem.key());
    }
}
