package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml and the Prometheus config, checked by the tools that will read them (tagged
 * "tools": {@code ./mvnw verify -Ptools}).
 */
@Tag("tools")
class DeployFilesTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> NODES =
            Set.of("controller-1", "controller-2", "controller-3", "broker-1", "broker-2", "broker-3");

    @Test
    void composeFileIsValidAndRunsTheWholeTopology() throws Exception {
        String compose = Repo.requireTool("docker-compose", "Debian: apt-get install docker-compose");
        Path file = Repo.path("docker-compose.yml");

        Shell.Result check = Shell.run(TOOL_TIMEOUT, compose, "-f", file.toString(), "config", "-q");
        assertEquals(0, check.exitCode(), check::toString);

        Shell.Result services = Shell.run(TOOL_TIMEOUT, compose, "-f", file.toString(), "config", "--services");
        assertEquals(0, services.exitCode(), services::toString);
        Set<String> expected = new TreeSet<>(NODES);
        expected.addAll(Set.of("prometheus", "grafana"));
        assertEquals(
                expected, new TreeSet<>(Arrays.asList(services.output().strip().split("\\s+"))));
    }

    @Test
    void composeCheckRejectsABrokenFile(@TempDir Path dir) throws Exception {
        String compose = Repo.requireTool("docker-compose", "Debian: apt-get install docker-compose");
        Path broken = dir.resolve("docker-compose.yml");
        Files.writeString(broken, "services:\n  node:\n    image: ferry:dev\n    no_such_key: 1\n");

        Shell.Result check = Shell.run(TOOL_TIMEOUT, compose, "-f", broken.toString(), "config", "-q");

        assertNotEquals(0, check.exitCode(), "docker-compose accepted an unknown service key: " + check);
    }

    @Test
    void prometheusConfigIsValidAndScrapesEveryNode() throws Exception {
        String promtool = Repo.requireTool("promtool", "Debian: apt-get install prometheus");
        Path config = Repo.path("deploy/prometheus/prometheus.yml");

        Shell.Result check = Shell.run(TOOL_TIMEOUT, promtool, "check", "config", config.toString());

        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.output().contains("SUCCESS"), check::toString);
        Matcher target = Pattern.compile("((?:controller|broker)-\\d):9644").matcher(Files.readString(config));
        Set<String> scraped = new TreeSet<>();
        while (target.find()) {
            scraped.add(target.group(1));
        }
        assertEquals(new TreeSet<>(NODES), scraped, "every node's /metrics (HTTP port 9644 in the compose network)");
    }

    @Test
    void promtoolRejectsABrokenConfig(@TempDir Path dir) throws Exception {
        String promtool = Repo.requireTool("promtool", "Debian: apt-get install prometheus");
        Path broken = dir.resolve("prometheus.yml");
        Files.writeString(broken, "scrape_configs:\n  - job_name: ferry\n    scrape_interval: soon\n");

        Shell.Result check = Shell.run(TOOL_TIMEOUT, promtool, "check", "config", broken.toString());

        assertNotEquals(0, check.exitCode(), "promtool accepted a malformed duration: " + check);
    }
}
