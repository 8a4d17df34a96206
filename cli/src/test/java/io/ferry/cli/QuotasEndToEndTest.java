package io.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry quotas alter|describe} against a running node, printing what kafka-configs.sh prints. */
class QuotasEndToEndTest {

    private TestNode node;

    @BeforeEach
    void startNode(@TempDir Path dir) throws Exception {
        node = TestNode.start(dir);
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ok(String... args) {
        Result r = node.ferry("", args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    @Test
    void alterAndDescribePrintAsKafkaConfigs() {
        assertEquals(
                "Completed updating config for user alice.\n",
                ok(
                                "quotas",
                                "alter",
                                "--entity-type",
                                "users",
                                "--entity-name",
                                "alice",
                                "--add-config",
                                "producer_byte_rate=1024,consumer_byte_rate=2048")
                        .out());
        ok(
                "quotas",
                "alter",
                "--entity-type",
                "users",
                "--entity-default",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--add-config",
                "request_percentage=50");
        assertEquals(
                "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0\n",
                ok("quotas", "describe", "--entity-type", "users", "--entity-name", "alice")
                        .out());
        assertEquals(
                "Quota configs for the default user-principal, client-id 'app' are request_percentage=50.0\n",
                ok("quotas", "describe", "--entity-type", "users", "--entity-default", "--entity-type", "clients")
                        .out());

        ok(
                "quotas",
                "alter",
                "--entity-type",
                "users",
                "--entity-name",
                "alice",
                "--delete-config",
                "consumer_byte_rate");
        assertEquals(
                "Quota configs for user-principal 'alice' are producer_byte_rate=1024.0\n",
                ok("quotas", "describe", "--entity-type", "users").out());

        Result refused = node.ferry(
                "",
                "quotas",
                "alter",
                "--entity-type",
                "users",
                "--entity-name",
                "alice",
                "--add-config",
                "producer_byte_rate=-1");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("value of producer_byte_rate must be a positive number"), refused.toString());
        Result usage = node.ferry(
                "",
                "quotas",
                "alter",
                "--entity-type",
                "topics",
                "--entity-name",
                "t",
                "--add-config",
                "producer_byte_rate=1");
        assertEquals(2, usage.exitCode(), usage.toString());
    }
}
