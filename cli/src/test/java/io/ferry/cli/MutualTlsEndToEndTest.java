package io.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import io.ferry.node.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands against a node that requires client certificates ({@code ssl.client.auth=required}): the
 * client's certificate comes from {@code ssl.keystore.location} in --command-config.
 */
class MutualTlsEndToEndTest {

    @TempDir
    Path dir;

    private TestNode node;
    private TestCertificates.NodeFiles files;

    @BeforeEach
    void startNode() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        node = TestNode.start(
                dir,
                List.of(
                        "grpc.listener.security.protocol=SSL",
                        "ssl.keystore.location=" + files.keystore(),
                        "ssl.truststore.location=" + files.truststore(),
                        "ssl.client.auth=required"));
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    private String commandConfig(String name, String more) throws Exception {
        return Files.writeString(
                        dir.resolve(name),
                        "security.protocol=SSL\nssl.truststore.location=" + files.truststore() + "\n" + more)
                .toString();
    }

    @Test
    void withACertificateTheCommandsWork() throws Exception {
        Path keystore = dir.resolve("operator.pem");
        files.authority().writeKeystore(keystore, "operator");
        String config = commandConfig("client.properties", "ssl.keystore.location=" + keystore + "\n");

        Result created = node.ferry("", "topic", "create", "--topic", "mutual", "--command-config", config);
        assertEquals(0, created.exitCode(), created.toString());
        Result listed = node.ferry("", "topic", "list", "--command-config", config);
        assertEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.out().contains("mutual"), listed.toString());
    }

    @Test
    void withoutACertificateTheCommandFailsSayingSo() throws Exception {
        String config = commandConfig("no-certificate.properties", "default.api.timeout.ms=2000\n");

        Result listed = node.ferry("", "topic", "list", "--command-config", config);
        assertNotEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.err().contains("CERTIFICATE_REQUIRED"), listed.err());
    }
}
