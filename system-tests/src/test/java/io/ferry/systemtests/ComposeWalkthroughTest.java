package io.ferry.systemtests;

import static io.ferry.systemtests.CliOutput.assertEachValueOnce;
import static io.ferry.systemtests.CliOutput.assertOutput;
import static io.ferry.systemtests.ClusterTable.brokerState;
import static io.ferry.systemtests.ClusterTable.everyPartitionOk;
import static io.ferry.systemtests.ClusterTable.partitions;
import static io.ferry.systemtests.ClusterTable.partitionsLedBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's compose walkthrough, run as a user runs it, against docker-compose.yml in a real Docker
 * engine: the compose file's Ferry services and Prometheus; a topic with three replicas; acks 0, 1
 * and all from the host; the leader's broker killed, leadership moving in {@code ferry cluster}, acks=all
 * again, the broker started again; every record consumed exactly once; Prometheus with every node as a
 * healthy target and the under-replicated partitions of the kill; a broker stopped with SIGTERM
 * (controlled shutdown, exit 143); the whole cluster restarted with its data; {@code down -v} and
 * nothing left. The checks read what a user reads: command output, tables, Prometheus's answers.
 *
 * <p>What differs from a user's {@code docker compose up -d --build} is where the images come from,
 * not what they are ({@link DockerFixture}: images made from Debian's packages, the node image built
 * from the packaged jars), and Grafana, which Debian does not package, is not started.
 *
 * <p>Tagged "tools" ({@code ./mvnw verify -Ptools}): it needs docker-compose and a Docker engine, and
 * as root it installs Debian's {@code docker.io} and {@code debootstrap} and starts {@code dockerd}
 * when there is none (stopping it afterwards). The compose file publishes fixed ports on 127.0.0.1,
 * which must be free. Output and the containers' logs: {@code target/containers/compose-walkthrough/}.
 */
@Tag("tools")
@ExtendWith(DockerFixture.class)
class ComposeWalkthroughTest {

    private static final String PROJECT = "ferry-walkthrough";
    private static final Path WORK = DockerFixture.WORK.resolve("compose-walkthrough");
    private static final Path TRANSCRIPT = WORK.resolve("transcript.txt");

    private static final List<String> CONTROLLERS = List.of("controller-1", "controller-2", "controller-3");
    private static final List<String> BROKERS = List.of("broker-1", "broker-2", "broker-3");
    /** The ports docker-compose.yml publishes for these services on 127.0.0.1. */
    private static final List<Integer> HOST_PORTS = List.of(
            9090, 9092, 9093, 9094, 9392, 9393, 9394, 10092, 10093, 10094, 9192, 9193, 9194, 10192, 10193, 10194);

    /** The user's command builds the image from source and starts Grafana too; see the class comment. */
    static final String UP = "docker compose up -d --no-build " + String.join(" ", CONTROLLERS) + " "
            + String.join(" ", BROKERS) + " prometheus";

    // The README's lines, in its order; {broker} is the broker this run picks.
    static final String CREATE = "bin/ferry topic create --topic orders --partitions 3 --replication-factor 3";
    static final String PRODUCE_ACKS_0 = "seq 100 | bin/ferry produce --topic orders --acks 0";
    static final String PRODUCE_ACKS_1 = "seq 101 200 | bin/ferry produce --topic orders --acks 1";
    static final String PRODUCE_ACKS_ALL = "seq 201 300 | bin/ferry produce --topic orders --acks all";
    static final String CLUSTER = "bin/ferry cluster";
    static final String KILL = "docker compose kill {broker}";
    static final String PRODUCE_AFTER_KILL = "seq 301 400 | bin/ferry produce --topic orders --acks all";
    static final String UNDER_REPLICATED = "curl -s http://127.0.0.1:9090/api/v1/query"
            + " --data-urlencode 'query=sum(ferry_broker_under_replicated_partitions)'";
    static final String START = "docker compose start {broker}";
    static final String HEALTHY_TARGETS =
            "curl -s http://127.0.0.1:9090/api/v1/query" + " --data-urlencode 'query=count(up == 1)'";
    static final String CONSUME =
            "bin/ferry consume --topic orders --from-beginning --timeout-ms 5000" + " | sort -n | uniq | wc -l";
    /** The same records through the brokers' Kafka ports (kcat: librdkafka, as a Kafka user reads). */
    static final String KCAT_CONSUME =
            "kcat -b 127.0.0.1:9392 -C -t orders -o beginning -e -q | sort -n | uniq | wc -l";

    static final String STOP = "docker compose stop {broker}";
    /** -a: Compose v2 lists a stopped container only with it (v1 lists it either way). */
    static final String STOPPED = "docker compose ps -a {broker}";

    static final String SHUTDOWN_LOG =
            "docker compose logs --no-color {broker}" + " | grep -E 'Controlled shutdown|node [0-9]+ stopped'";
    static final String RESTART = "docker compose restart";
    static final String DOWN = "docker compose down -v";

    /** Every line the README's compose section shows with {@code $ }, in order, but the user's build. */
    static final List<String> README_LINES = List.of(
            CREATE,
            PRODUCE_ACKS_0,
            PRODUCE_ACKS_1,
            PRODUCE_ACKS_ALL,
            CLUSTER,
            KILL,
            CLUSTER,
            PRODUCE_AFTER_KILL,
            UNDER_REPLICATED,
            START,
            CLUSTER,
            HEALTHY_TARGETS,
            CONSUME,
            KCAT_CONSUME,
            STOP,
            STOPPED,
            SHUTDOWN_LOG,
            CLUSTER,
            RESTART,
            CONSUME,
            DOWN);

    private static final int RECORDS = 400;
    private static final Duration COMPOSE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(2);
    /** Six JVMs starting in containers on a loaded two-core machine. */
    private static final Duration HEALTHY_TIMEOUT = Duration.ofMinutes(4);

    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(90);
    /** Prometheus scrapes every 5 s (deploy/prometheus/prometheus.yml). */
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(60);

    private static ComposeProject project;

    @BeforeAll
    static void project() throws Exception {
        Repo.requireTool("curl", "Debian: apt-get install curl");
        Files.createDirectories(WORK);
        Files.deleteIfExists(TRANSCRIPT);
        project = new ComposeProject(
                PROJECT,
                Map.of("NODE_IMAGE", DockerFixture.NODE_IMAGE, "PROMETHEUS_IMAGE", DockerFixture.PROMETHEUS_IMAGE));
        // What an earlier run that was killed may have left.
        down();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (project != null) {
            down();
        }
    }

    @Test
    void readmeWalkthroughKillsTheLeadersBrokerRestartsTheClusterAndLosesNothing() throws Exception {
        for (int port : HOST_PORTS) {
            assertTrue(
                    LoopbackPorts.isFree(port),
                    "127.0.0.1:" + port + " is taken; docker-compose.yml publishes it "
                            + "(stop the local cluster, bin/ferry-cluster down, or whatever holds it)");
        }
        try {
            walkthrough();
        } finally {
            Shell.Result logs = project.run(COMPOSE_TIMEOUT, "docker compose logs --no-color");
            Files.writeString(WORK.resolve("containers.log"), logs.output(), StandardCharsets.UTF_8);
        }
    }

    private void walkthrough() throws Exception {
        Shell.Result up = step(COMPOSE_TIMEOUT, UP);
        assertEquals(0, up.exitCode(), up::toString);
        awaitHealthy(Stream.concat(Stream.concat(CONTROLLERS.stream(), BROKERS.stream()), Stream.of("prometheus"))
                .toList());

        Shell.Result create = step(CREATE);
        assertOutput(create, "Created topic orders with 3 partition(s), replication factor 3.");
        assertOutput(
                step(PRODUCE_ACKS_0),
                "Read 100 line(s), sent 100 record(s) to topic orders (acks=0): "
                        + "not acknowledged by the broker (acks=0), 0 failed.");
        assertOutput(
                step(PRODUCE_ACKS_1),
                "Read 100 line(s), sent 100 record(s) to topic orders (acks=1): " + "100 acknowledged, 0 failed.");
        assertOutput(
                step(PRODUCE_ACKS_ALL),
                "Read 100 line(s), sent 100 record(s) to topic orders (acks=all): " + "100 acknowledged, 0 failed.");
        Shell.Result placed =
                awaitCluster("every partition of orders with its full ISR", ClusterTable::everyPartitionOk);
        // Prometheus has seen the cluster whole, so what it sees next is the kill's doing.
        awaitPrometheus(UNDER_REPLICATED, "no under-replicated partition", v -> v == 0);

        // The leader of partition 1 (placed on broker-2 first); never broker-1, the CLI's default bootstrap.
        String victimId = leaderOtherThanBroker1(placed, 1);
        String victim = broker(victimId);
        assertEquals(0, step(KILL.replace("{broker}", victim)).exitCode());
        Shell.Result failedOver = awaitCluster(
                "broker " + victimId + " fenced and its partitions led elsewhere",
                c -> brokerState(c, victimId).equals(Optional.of("FENCED"))
                        && partitions(c).size() == 3
                        && partitionsLedBy(c, victimId).isEmpty());
        assertOutput(failedOver, "3 under-replicated, 0 offline");
        assertOutput(
                step(PRODUCE_AFTER_KILL),
                "Read 100 line(s), sent 100 record(s) to topic orders (acks=all): " + "100 acknowledged, 0 failed.");
        awaitPrometheus(UNDER_REPLICATED, "the killed broker's partitions under-replicated", v -> v >= 1);

        assertEquals(0, step(START.replace("{broker}", victim)).exitCode());
        awaitHealthy(List.of(victim));
        Shell.Result healed = awaitCluster(
                "broker " + victimId + " back in every ISR",
                c -> brokerState(c, victimId).equals(Optional.of("alive")) && everyPartitionOk(c));
        assertOutput(healed, "0 under-replicated, 0 offline");
        awaitPrometheus(HEALTHY_TARGETS, "all six nodes healthy targets", v -> v == 6);
        assertEveryNodeIsAHealthyTarget();
        assertEachValueOnce(step(CONSUME), RECORDS);
        Shell.Result kafkaRead = step(KCAT_CONSUME);
        assertEquals(0, kafkaRead.exitCode(), kafkaRead::toString);
        assertEquals(String.valueOf(RECORDS), kafkaRead.output().strip(), kafkaRead::toString);

        // docker stop sends SIGTERM to the JVM (PID 1): controlled shutdown hands the leaderships over.
        String stoppedId = leaderOtherThanBroker1(healed, -1);
        String stopped = broker(stoppedId);
        assertEquals(0, step(STOP.replace("{broker}", stopped)).exitCode());
        String container = project.container(stopped);
        assertEquals(
                "false 143",
                ComposeProject.inspect(container, "{{.State.Running}} {{.State.ExitCode}}"),
                "the JVM ended on SIGTERM (128 + 15)");
        assertOutput(step(STOPPED.replace("{broker}", stopped)), "143");
        Shell.Result shutdownLog = step(SHUTDOWN_LOG.replace("{broker}", stopped));
        assertOutput(shutdownLog, "Controlled shutdown of broker " + stoppedId + " done");
        assertOutput(shutdownLog, "Ferry node " + stoppedId + " stopped");
        Shell.Result handedOver = step(CLUSTER);
        assertEquals(List.of(), partitionsLedBy(handedOver, stoppedId), "led nothing when it stopped: " + handedOver);
        assertEquals(3, partitions(handedOver).size(), handedOver::toString);

        // Every container stopped and started again: the volumes keep metadata and logs.
        assertEquals(0, step(COMPOSE_TIMEOUT, RESTART).exitCode());
        awaitHealthy(Stream.concat(CONTROLLERS.stream(), BROKERS.stream()).toList());
        awaitCluster(
                "every broker alive and every partition led",
                c -> partitions(c).size() == 3
                        && c.output().contains("0 fenced")
                        && c.output().contains(", 0 offline"));
        assertEachValueOnce(step(CONSUME), RECORDS);

        assertEquals(0, step(COMPOSE_TIMEOUT, DOWN).exitCode());
        assertEquals(List.of(), project.leftovers(), "containers, volumes or networks of " + PROJECT + " left");
        for (int port : HOST_PORTS) {
            assertTrue(LoopbackPorts.isFree(port), "127.0.0.1:" + port + " still taken after down");
        }
    }

    /** Prometheus's own view of its targets: one per node, each healthy. */
    private static void assertEveryNodeIsAHealthyTarget() throws Exception {
        Shell.Result targets = Shell.run(CLI_TIMEOUT, "curl", "-s", "http://127.0.0.1:9090/api/v1/targets");
        assertEquals(0, targets.exitCode(), targets::toString);
        Map<String, String> health = new TreeMap<>();
        for (JsonElement t : JsonParser.parseString(targets.output())
                .getAsJsonObject()
                .getAsJsonObject("data")
                .getAsJsonArray("activeTargets")) {
            JsonObject target = t.getAsJsonObject();
            health.put(
                    target.getAsJsonObject("labels").get("node").getAsString(),
                    target.get("health").getAsString());
        }
        Map<String, String> expected = new TreeMap<>();
        Stream.concat(CONTROLLERS.stream(), BROKERS.stream()).forEach(n -> expected.put(n, "up"));
        assertEquals(expected, health, targets::toString);
    }

    /** A broker other than broker-1 that leads {@code partition} (-1: any partition). */
    private static String leaderOtherThanBroker1(Shell.Result cluster, int partition) {
        Map<Integer, ClusterTable.Partition> rows = partitions(cluster);
        Optional<String> preferred = Optional.ofNullable(rows.get(partition)).map(ClusterTable.Partition::leader);
        return preferred
                .filter(id -> !id.equals("101"))
                .or(() -> rows.values().stream()
                        .map(ClusterTable.Partition::leader)
                        .filter(id -> id.matches("10[23]"))
                        .findFirst())
                .orElseGet(() -> fail("broker-2 and broker-3 lead nothing: " + cluster));
    }

    /** broker-1..3 for node ids 101..103 (docker-compose.yml). */
    private static String broker(String id) {
        return "broker-" + (Integer.parseInt(id) - 100);
    }

    private static Shell.Result awaitCluster(String what, Predicate<Shell.Result> condition) {
        Shell.Result result = await(what)
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> project.run(CLI_TIMEOUT, CLUSTER), condition);
        transcript("$ " + CLUSTER + "\n" + result.output());
        return result;
    }

    /** Polls a Prometheus query line until its single value satisfies the condition. */
    private static void awaitPrometheus(String line, String what, DoublePredicate condition) {
        Shell.Result result = await("Prometheus: " + what)
                .atMost(SCRAPE_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> project.run(CLI_TIMEOUT, line),
                        r -> value(r).stream().anyMatch(condition));
        transcript("$ " + line + "\n" + result.output());
    }

    /** The value of an instant query's single sample; empty for no sample or an error. */
    private static OptionalDouble value(Shell.Result query) {
        if (query.exitCode() != 0) {
            return OptionalDouble.empty();
        }
        try {
            JsonObject answer = JsonParser.parseString(query.output()).getAsJsonObject();
            JsonArray result = answer.getAsJsonObject("data").getAsJsonArray("result");
            if (!answer.get("status").getAsString().equals("success") || result.size() != 1) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(result.get(0)
                    .getAsJsonObject()
                    .getAsJsonArray("value")
                    .get(1)
                    .getAsDouble());
        } catch (RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    private static void awaitHealthy(List<String> services) throws Exception {
        project.awaitHealthy(services, HEALTHY_TIMEOUT);
    }

    private static void down() throws Exception {
        project.downIfAnythingIsLeft(DOWN);
    }

    private static Shell.Result step(String line) throws IOException, InterruptedException {
        return step(CLI_TIMEOUT, line);
    }

    /** Runs a line of the walkthrough and keeps it with its output in the transcript (the README's source). */
    private static Shell.Result step(Duration timeout, String line) throws IOException, InterruptedException {
        Shell.Result result = project.run(timeout, line);
        transcript("$ " + line + "\n" + result.output()
                + (result.exitCode() == 0 ? "" : "[exit " + result.exitCode() + "]\n"));
        return result;
    }

    private static void transcript(String text) {
        try {
            Files.writeString(
                    TRANSCRIPT,
                    text.endsWith("\n") ? text : text + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
