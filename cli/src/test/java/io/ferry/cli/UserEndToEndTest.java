package io.ferry.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry user add|list|delete} against a running node, listing as kafka-configs.sh --describe prints. */
class UserEndToEndTest {

    @TempDir
    Path dir;

    private TestNode node;

    @BeforeEach
    void startNode() throws Exception {
        node = TestNode.start(dir.resolve("node"));
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ok(String stdin, String... args) {
        Result r = node.ferry(stdin, args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    /** What the node describes, once its metadata view has the change (it describes from its view, as Kafka). */
    private void awaitListed(String expected) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ok("", "user", "list").out(), expected::equals);
    }

    @Test
    void addListAndDeletePrintAsKafkaConfigs() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("bob.password"), "bob-secret\n");
        assertEquals(
                "Completed updating config for user alice.\n",
                ok("alice-secret\n", "user", "add", "alice").out());
        ok("", "user", "add", "bob", "--iterations", "8192", "--password-file", passwordFile.toString());

        awaitListed("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096\n"
                + "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=8192\n");
        assertEquals(
                "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=8192\n",
                ok("", "user", "list", "bob").out());

        assertEquals(
                "Completed updating config for user alice.\n",
                ok("", "user", "delete", "alice").out());
        awaitListed("SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=8192\n");
        Result again = node.ferry("", "user", "delete", "alice");
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().contains("RESOURCE_NOT_FOUND"), again.toString());
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedAndNothingIsStored() {
        Result r = node.ferry("", "user", "add", "alice", "--password", "alice-secret");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("shell history"), r.toString());
        assertFalse(r.err().contains("alice-secret"), r.toString());
        assertEquals("", ok("", "user", "list").out());
    }

    @Test
    void anEmptyPasswordOrTooFewIterationsAreRefused() {
        Result empty = node.ferry("\n", "user", "add", "alice");
        assertEquals(2, empty.exitCode(), empty.toString());
        assertTrue(empty.err().contains("password is empty"), empty.toString());
        Result few = node.ferry("secret\n", "user", "add", "alice", "--iterations", "1000");
        assertEquals(1, few.exitCode(), few.toString());
        assertTrue(few.err().contains("UNACCEPTABLE_CREDENTIAL"), few.toString());
    }
}
