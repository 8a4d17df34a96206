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

/** The commands against a node whose gRPC listener serves TLS only, with the TLS keys in --command-config. */
class TlsEndToEndTest {

    @TempDir
    Path dir;

    private TestNode node;
    private Path tlsConfig;

    @BeforeEach
    void startNode() throws Exception {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        node = TestNode.start(
                dir,
                List.of(
                        "grpc.listener.security.protocol=SSL",
                        "ssl.keystore.location=" + files.keystore(),
                        "ssl.truststore.location=" + files.truststore()));
        tlsConfig = Files.writeString(
                dir.resolve("client.properties"),
                "security.protocol=SSL\nssl.truststore.location=" + files.truststore() + "\n");
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void createProduceAndConsumeOverTls() {
        String config = tlsConfig.toString();
        Result created = node.ferry("", "topic", "create", "--topic", "secure", "--command-config", config);
        assertEquals(0, created.exitCode(), created.toString());

        Result produced =
                node.ferry("a\nb\nc\n", "produce", "--topic", "secure", "--acks", "all", "--command-config", config);
        assertEquals(0, produced.exitCode(), produced.toString());

        Result consumed = node.ferry(
                "",
                "consume",
                "--topic",
                "secure",
                "--from-beginning",
                "--max-messages",
                "3",
                "--command-config",
                config);
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertEquals("a\nb\nc\n", consumed.out());
    }

    @Test
    void withoutTheTlsKeysTheCommandFailsSayingSo() throws Exception {
        Path plaintext = Files.writeString(dir.resolve("plaintext.properties"), "default.api.timeout.ms=2000\n");
        Result listed = node.ferry("", "topic", "list", "--command-config", plaintext.toString());
        assertNotEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.err().contains("accepts TLS only"), listed.err());
    }
}
