package io.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help, version and exit codes of every command, with no cluster involved. */
class CommandLineTest {

    @TempDir
    Path dir;

    private static Result run(String... args) {
        return new CliRunner().run(args);
    }

    @Test
    void helpListsEveryCommandAndExitsZero() {
        Result r = run("--help");
        assertEquals(0, r.exitCode(), r.toString());
        for (String command : new String[] {"topic", "produce", "consume", "cluster", "perf"}) {
            assertTrue(r.out().contains("  " + command + " "), command + " missing from\n" + r.out());
        }
        assertTrue(r.out().contains("--bootstrap"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "topic create",
                "topic list",
                "topic describe",
                "topic alter",
                "topic delete-records",
                "topic delete",
                "topic dump",
                "produce",
                "consume",
                "cluster",
                "acl add",
                "acl remove",
                "acl list",
                "perf produce",
                "perf consume",
                "perf e2e"
            })
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").split(" ");
        Result r = run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Usage: ferry " + command), r.out());
        assertTrue(r.out().contains("--bootstrap"), "client options on " + command);
    }

    @Test
    void versionExitsZero() {
        Result r = run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("ferry "), r.out());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", // no command
                "topic", // no subcommand
                "perf",
                "nonsense",
                "topic create", // --topic required
                "topic create --topic t --partitions x",
                "produce",
                "produce --topic t --acks 2",
                "produce --topic t --key k --key-separator :",
                "produce --topic t --compression brotli",
                "consume --topic t --from-beginning --offset 3",
                "consume --topic t --timestamp yesterday",
                "consume --topic t --offset -1",
                "topic dump --topic t", // --partition required
                "topic dump --topic t --partition 0 --offset -1",
                "topic dump --topic t --partition 0 --max-batches 0",
                "cluster --watch-for 5s",
                "cluster --watch --interval 1x",
                "cluster --watch --interval 0s",
                "perf produce --topic t --num-records 10", // neither --record-size nor --payload-file
                "perf produce --topic t --num-records 0 --record-size 10",
                "perf produce --topic t --num-records 10 --record-size 10 --key-space 0",
                "perf e2e --topic t --record-size 8",
                "--bogus topic list",
            })
    void usageErrorsExitTwoWithOneErrorLineAndAHint(String command) {
        Result r = run(command.isEmpty() ? new String[0] : command.split(" "));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: "), r.toString());
        assertTrue(r.err().contains("--help' for usage") || r.err().lines().count() == 1, r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void unknownKeyInCommandConfigIsAUsageError() throws IOException {
        Path config = Files.writeString(dir.resolve("client.properties"), "request.timeout.ms=1000\nno.such.key=1\n");
        Result r = run("topic", "list", "--command-config", config.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(
                "error: --command-config " + config + ": unknown client configuration key 'no.such.key'\n", r.err());
    }

    @Test
    void emptyPayloadFileIsAUsageError() throws IOException {
        Path empty = Files.writeString(dir.resolve("payloads.txt"), "\n\n");
        Result r = run("perf", "produce", "--topic", "t", "--num-records", "5", "--payload-file", empty.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("error: --payload-file " + empty + " has no non-empty line\n", r.err());
    }

    @Test
    void missingCommandConfigFileIsAUsageError() {
        Result r = run(
                "topic",
                "list",
                "--command-config",
                dir.resolve("absent.properties").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: cannot read --command-config"), r.toString());
    }

    @Test
    void badProducerPropIsAUsageErrorNamingTheKeyBeforeAnyConnection() {
        Result r = run(
                "perf",
                "produce",
                "--topic",
                "t",
                "--num-records",
                "1",
                "--record-size",
                "1",
                "--producer-prop",
                "no.such.key=1",
                "--bootstrap",
                "127.0.0.1:1");
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(
                r.err().startsWith("error: no.such.key (producer configuration): unknown configuration key"),
                r.toString());
    }

    @Test
    void unreachableClusterFailsWithOneLineAndExitOne() throws IOException {
        Path config = fastFailConfig();
        Result r = run("--bootstrap", "127.0.0.1:1", "topic", "list", "--command-config", config.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("error: REQUEST_TIMED_OUT: "), r.toString());
        assertTrue(r.err().contains("127.0.0.1"), r.toString());
        assertTrue(r.err().contains("is a Ferry broker listening there?"), r.toString());
    }

    @Test
    void bootstrapComesFromTheEnvironmentWhenNotGiven() throws IOException {
        Path config = fastFailConfig();
        Result r = new CliRunner()
                .variables(java.util.Map.of("FERRY_BOOTSTRAP", "127.0.0.1:2"))
                .run("topic", "list", "--command-config", config.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(":2 "), r.toString());
    }

    private Path fastFailConfig() throws IOException {
        return Files.writeString(
                dir.resolve("fast.properties"),
                "default.api.timeout.ms=400\nrequest.timeout.ms=200\nretry.backoff.ms=50\n");
    }
}
