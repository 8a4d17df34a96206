package io.ferry.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's own checker accepts what {@code /metrics} serves on a controller node (JVM, process
 * and controller metrics). promtool is a build requirement
 * (Debian/Ubuntu: {@code apt-get install -y prometheus}); the test fails rather than skips without it,
 * so a CI image that lacks it is noticed.
 */
class PromtoolTest {

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        String exposition;
        NodeConfig config = NodeConfig.load(java.util.Optional.empty(), java.util.Map.of(),
                ControllerRoleTest.singleController(1, ControllerRoleTest.freePort(), dir.resolve("meta")));
        try (FerryNode node = FerryNode.start(config)) {
            var response = NodeHttp.get(node.httpAddress(), "/metrics");
            assertEquals(200, response.statusCode());
            exposition = response.body();
        }
        Path scraped = dir.resolve("metrics.txt");
        Files.writeString(scraped, exposition, StandardCharsets.UTF_8);
        Path output = dir.resolve("promtool.out");
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectInput(scraped.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
        } catch (IOException e) {
            fail("promtool is required by this test and was not found on PATH (" + e.getMessage()
                    + "). Install it: apt-get update && apt-get install -y prometheus");
            return;
        }
        if (!promtool.waitFor(30, TimeUnit.SECONDS)) {
            promtool.destroyForcibly();
            fail("promtool did not finish within 30 s");
        }
        String report = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, promtool.exitValue(), "promtool check metrics rejected /metrics:\n" + report);
        for (String family : List.of("jvm_", "process_", "ferry_controller_")) {
            assertTrue(exposition.contains(family), "no " + family + " metrics in\n" + exposition);
        }
    }
}
