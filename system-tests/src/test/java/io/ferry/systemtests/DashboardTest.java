package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (deploy/grafana/dashboards/ferry.json): valid JSON, valid PromQL (promtool),
 * and every metric its queries use is one a running broker and controller node exports. The promtool
 * check is tagged "tools" ({@code ./mvnw verify -Ptools}).
 */
class DashboardTest {

    private static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/ferry.json");
    private static final Pattern METRIC = Pattern.compile("\\b(?:ferry|jvm|process|system)_[a-z0-9_]+\\b");

    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "dashboard";
    /** A compacted topic: its partition's dirty ratio is exported only while its log compacts. */
    private static final String COMPACTED_TOPIC = "dashboard-compacted";

    /** The group the consume joins: its coordinator exports its lag once it has committed an offset. */
    private static final String GROUP = "dashboard-readers";

    private static final List<String> RECORDS = List.of("one", "two", "three");

    private static Map<String, String> queriesByPanel;

    @BeforeAll
    static void readDashboard() throws Exception {
        JsonObject dashboard = JsonParser.parseString(Files.readString(Repo.path(DASHBOARD.toString())))
                .getAsJsonObject();
        queriesByPanel = new LinkedHashMap<>();
        for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
            JsonObject p = panel.getAsJsonObject();
            if (!p.has("targets")) {
                continue;
            }
            int i = 0;
            for (JsonElement target : p.getAsJsonArray("targets")) {
                queriesByPanel.put(
                        p.get("title").getAsString() + " #" + i++,
                        target.getAsJsonObject().get("expr").getAsString());
            }
        }
    }

    @Test
    void dashboardHasThePanelsAnOperatorLooksFor() {
        Set<String> titles = queriesByPanel.keySet().stream()
                .map(k -> k.substring(0, k.lastIndexOf(" #")))
                .collect(Collectors.toSet());
        for (String needed : List.of(
                "Bytes in",
                "Bytes out",
                "Request latency p99",
                "Under-replicated partitions",
                "Offline partitions",
                "Leaders per broker",
                "Smallest ISR per partition",
                "Controller leader (node id)",
                "Raft term",
                "Follower lag (records)",
                "Dirty ratio per compacted partition",
                "Cleaner I/O",
                "Max compaction delay",
                "Consumer lag",
                "Group members",
                "Heap used")) {
            assertTrue(titles.contains(needed), "no panel '" + needed + "' in " + titles);
        }
    }

    @Test
    @Tag("tools")
    void everyQueryIsValidPromQl(@TempDir Path dir) throws Exception {
        String promtool = Repo.requireTool("promtool", "Debian: apt-get install prometheus");
        // promtool parses the expressions of a rules file: one recording rule per dashboard query.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String expr : queriesByPanel.values()) {
            rules.append("      - record: dashboard_query_")
                    .append(i++)
                    .append("\n        expr: '")
                    .append(expr.replace("'", "''"))
                    .append("'\n");
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);

        Shell.Result check = Shell.run(Duration.ofSeconds(60), promtool, "check", "rules", file.toString());

        assertEquals(0, check.exitCode(), () -> check + "\nrules:\n" + rules);
        assertTrue(check.output().contains("SUCCESS: " + queriesByPanel.size() + " rules found"), check::toString);
    }

    /**
     * Starts a combined broker and controller node, gives it a topic and some traffic (per-topic and
     * per-partition series exist only once a partition is hosted and served), a compacted topic and a consumer
     * group that committed offsets (group series exist only then), then
     * checks every metric name the dashboard queries against the node's /metrics.
     */
    @Test
    void everyMetricTheDashboardUsesIsExportedByABrokerControllerNode(@TempDir Path dir) throws Exception {
        Repo.requireNodeJar();
        Repo.requireCliJar();
        Path records = dir.resolve("records.txt");
        Files.write(records, RECORDS);
        Set<String> exported;
        try (NodeProcess node = NodeProcess.startBrokerController(Files.createDirectory(dir.resolve("node")))) {
            // The broker registers with the controller a moment after /health turns 200.
            await("topic " + TOPIC + " created")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> cli(node, "topic", "create", "-t", TOPIC, "-p", "1", "-r", "1")
                                    .exitCode()
                            == 0);
            Shell.Result compacted = cli(
                    node,
                    "topic",
                    "create",
                    "-t",
                    COMPACTED_TOPIC,
                    "-p",
                    "1",
                    "-r",
                    "1",
                    "--config",
                    "cleanup.policy=compact");
            assertEquals(0, compacted.exitCode(), compacted::toString);
            Shell.Result produce = cli(node, "produce", "-t", TOPIC, "--acks", "all", "-f", records.toString());
            assertEquals(0, produce.exitCode(), produce::toString);
            Shell.Result consume = cli(
                    node,
                    "consume",
                    "-t",
                    TOPIC,
                    "--group",
                    GROUP,
                    "--from-beginning",
                    "-n",
                    String.valueOf(RECORDS.size()),
                    "--timeout-ms",
                    "10000");
            assertEquals(0, consume.exitCode(), consume::toString);
            assertTrue(consume.output().lines().toList().containsAll(RECORDS), consume::toString);

            await("the compacted partition's dirty ratio exported")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> node.get("/metrics").body().contains("ferry_partition_dirty_ratio{"));
            await("the group's lag exported by its coordinator")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> node.get("/metrics").body().contains("ferry_group_lag_records{"));
            String body = node.get("/metrics").body();
            exported = body.lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0])
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        List<String> unknown = new ArrayList<>();
        queriesByPanel.forEach((panel, expr) -> {
            Matcher m = METRIC.matcher(expr);
            boolean any = false;
            while (m.find()) {
                any = true;
                if (!exported.contains(m.group())) {
                    unknown.add(panel + ": " + m.group());
                }
            }
            assertTrue(any, panel + " queries no Ferry, JVM or process metric: " + expr);
        });

        assertEquals(List.of(), unknown, "dashboard metrics the node does not export");
    }

    private static Shell.Result cli(NodeProcess node, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                Repo.CLI_JAR.toString(),
                "--bootstrap",
                node.bootstrap()));
        command.addAll(List.of(args));
        return Shell.run(CLI_TIMEOUT, Map.of(), command);
    }

    @Test
    void dockerHealthCheckFollowsTheNodesHealth(@TempDir Path dir) throws Exception {
        Repo.requireNodeJar();
        String healthcheck = Repo.path("deploy/healthcheck").toString();
        Map<String, String> env;
        try (NodeProcess node = NodeProcess.startController(dir)) {
            env = Map.of("FERRY_HTTP_LISTENER", "0.0.0.0:" + node.httpPort());
            Shell.Result up = Shell.run(Duration.ofSeconds(20), env, List.of(healthcheck));
            assertEquals(0, up.exitCode(), up::toString);
        }
        Shell.Result down = Shell.run(Duration.ofSeconds(20), env, List.of(healthcheck));
        assertNotEquals(0, down.exitCode(), down::toString);
        assertFalse(down.output().isBlank(), "a failing check says why (Docker keeps it in the health log)");
    }

    @Test
    void dockerHealthCheckFailsWhileTheNodeAnswersUnhealthy(@TempDir Path dir) throws Exception {
        Repo.requireNodeJar();
        String healthcheck = Repo.path("deploy/healthcheck").toString();
        try (NodeProcess node = NodeProcess.startControllerWithoutQuorum(dir)) {
            assertEquals(503, node.get("/health").statusCode());
            Shell.Result check = Shell.run(
                    Duration.ofSeconds(20),
                    Map.of("FERRY_HTTP_LISTENER", "0.0.0.0:" + node.httpPort()),
                    List.of(healthcheck));
            assertNotEquals(0, check.exitCode(), check::toString);
        }
    }
}
