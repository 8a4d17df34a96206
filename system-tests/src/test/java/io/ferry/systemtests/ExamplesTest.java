package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/node and examples/python run as their READMEs say ({@code npm ci}, {@code node records.js};
 * {@code /usr/bin/python3 records.py}, {@code batch.py}) against a real node, and print what the READMEs
 * show. Tagged "tools": they need Node.js with npm (and the npm registry), Debian's python3-grpcio and
 * python3-protobuf, and protoc with the well-known protos (protobuf-compiler, libprotobuf-dev); a missing
 * one fails the test, it does not skip it.
 *
 * <p>The examples run from a copy in a temporary folder, beside a link to the repository's proto/ (they load
 * ../../proto/src/main/proto), so that node_modules and __pycache__ never land in the checkout.
 */
@Tag("tools")
class ExamplesTest {

    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
    /** The examples give up by themselves after 60 s; this only bounds a wedged interpreter. */
    private static final Duration EXAMPLE_TIMEOUT = Duration.ofMinutes(2);

    private static final String PYTHON = "/usr/bin/python3";
    private static final String APT_PYTHON =
            "Debian/Ubuntu: apt-get install -y python3-grpcio python3-protobuf protobuf-compiler libprotobuf-dev";
    /** What each records example publishes: 5 records per request, 3 unary and 3 streamed requests. */
    private static final int PUBLISHED = 30;

    @TempDir
    static Path dir;

    private static NodeProcess node;
    private static Path examples;

    @BeforeAll
    static void startNodeAndCopyExamples() throws IOException {
        Repo.requireNodeJar();
        examples = dir.resolve("checkout/examples");
        copy(Repo.path("examples/node"), examples.resolve("node"));
        copy(Repo.path("examples/python"), examples.resolve("python"));
        Files.createSymbolicLink(dir.resolve("checkout/proto"), Repo.path("proto"));
        Files.createDirectories(dir.resolve("node"));
        node = NodeProcess.startBrokerController(dir.resolve("node"));
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void nodeExamplePublishesWithEveryAcksAndReadsEverythingBack() throws Exception {
        Repo.requireTool("node", "Debian/Ubuntu: apt-get install -y nodejs npm");
        String npm = Repo.requireTool("npm", "Debian/Ubuntu: apt-get install -y nodejs npm");
        Path example = examples.resolve("node");
        Shell.Result install = Shell.run(example, NPM_TIMEOUT, Map.of(), List.of(npm, "ci"));
        assertEquals(0, install.exitCode(), install::toString);

        Shell.Result run =
                Shell.run(example, EXAMPLE_TIMEOUT, Map.of(), List.of("node", "records.js", node.bootstrap()));

        assertRecordsExample(run, "examples-node");
        assertContains(run, "metadata {\"error_code\":\"3\",\"retriable\":\"true\"}");
        assertContains(run, "record(s), committed p");
        assertContains(run, "a second member resumed at the committed offsets");
    }

    @Test
    void pythonExamplePublishesWithEveryAcksAndReadsEverythingBack() throws Exception {
        Shell.Result run = python("records.py");

        assertRecordsExample(run, "examples-python");
        assertContains(run, "metadata {'error_code': '3', 'retriable': 'true'}");
    }

    @Test
    void pythonBatchExampleProducesAHandEncodedBatchAndFetchesIt() throws Exception {
        Shell.Result run = python("batch.py");

        assertEquals(0, run.exitCode(), run::toString);
        assertContains(run, "created topic examples-python-batch with 1 partition(s)");
        assertContains(run, "encoded a RecordBatch v2 of 3 record(s)");
        assertContains(run, "Produce ACKS_ALL: partition 0, base offset 0");
        for (int offset = 0; offset < 3; offset++) {
            assertContains(run, "Fetch: offset " + offset + " ");
        }
        assertContains(run, "read back all 3 record(s) of the batch");
    }

    /** What records.js and records.py print, in their READMEs' words. */
    private static void assertRecordsExample(Shell.Result run, String topic) {
        assertEquals(0, run.exitCode(), run::toString);
        assertContains(run, "created topic " + topic + " with 3 partition(s)");
        for (String acks : List.of("ACKS_NONE", "ACKS_LEADER", "ACKS_ALL")) {
            assertContains(run, "Publish " + acks + ": 5 record(s) -> ");
        }
        assertContains(run, "PublishStream request 1 ACKS_ALL: 5 record(s) -> ");
        assertContains(run, "PublishStream request 2 ACKS_LEADER: 5 record(s) -> ");
        // Each record once: the example prints only the first arrival of each value of its run.
        List<String> delivered =
                run.output().lines().filter(l -> l.startsWith("Subscribe: ")).toList();
        assertEquals(PUBLISHED, delivered.size(), run::toString);
        assertEquals(PUBLISHED, Set.copyOf(delivered).size(), run::toString);
        assertContains(run, "read back all " + PUBLISHED + " record(s) published by this run");
        assertContains(run, "failed as intended: status 5 NOT_FOUND: ");
        assertContains(run, "ErrorInfo: domain ferry.io, reason UNKNOWN_TOPIC");
        assertContains(run, "trailers: ferry-error-code 3, ferry-error-name UNKNOWN_TOPIC");
    }

    private static void assertContains(Shell.Result run, String expected) {
        assertTrue(run.output().contains(expected), () -> "expected \"" + expected + "\" in " + run);
    }

    /** {@code /usr/bin/python3 <script> <the node's address>} in the Python example's folder. */
    private static Shell.Result python(String script) throws Exception {
        requirePythonPackages();
        return Shell.run(
                examples.resolve("python"), EXAMPLE_TIMEOUT, Map.of(), List.of(PYTHON, script, node.bootstrap()));
    }

    /** Fails (never skips) without Debian's Python packages and protoc, saying how to install them. */
    private static void requirePythonPackages() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing; the Python example needs the system's Python (" + APT_PYTHON + ")");
        }
        Repo.requireTool("protoc", APT_PYTHON);
        Shell.Result imports =
                Shell.run(EXAMPLE_TIMEOUT, Map.of(), List.of(PYTHON, "-c", "import grpc, google.protobuf"));
        if (imports.exitCode() != 0) {
            fail(PYTHON + " cannot import grpc and google.protobuf (" + APT_PYTHON + "): " + imports);
        }
    }

    /** Copies an example's files, not what running it left behind (node_modules, __pycache__). */
    private static void copy(Path from, Path to) throws IOException {
        Set<String> leftBehind = Set.of("node_modules", "__pycache__");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(source);
                if (Stream.iterate(relative, p -> p != null, Path::getParent)
                        .anyMatch(p -> leftBehind.contains(p.getFileName().toString()))) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
