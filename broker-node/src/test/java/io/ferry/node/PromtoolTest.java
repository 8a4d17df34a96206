package io.ferry.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's own checker accepts what {@code /metrics} serves on a broker,controller node (JVM,
 * process, controller and broker metrics). Tagged "tools": {@code ./mvnw verify -Ptools} runs it, and it
 * fails rather than skips without promtool (Debian/Ubuntu: {@code apt-get install -y prometheus}), so a
 * CI image that lacks it is noticed.
 */
@Tag("tools")
class PromtoolTest {

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        String exposition;
        // A broker,controller node that served produce and fetch: every family has samples.
        try (FerryNode node = BrokerTestSupport.start(ControllerRoleTest.freePort(), dir.resolve("logs"))) {
            ManagedChannel channel = BrokerTestSupport.channel(node);
            try {
                // A compacted log, for its dirty-ratio gauge (created first: the broker registers its gauges
                // after it makes the partition serve).
                BrokerTestSupport.createTopic(channel, "compacted", 1, java.util.Map.of("cleanup.policy", "compact"));
                BrokerTestSupport.createTopic(channel, "scraped", 1, java.util.Map.of());
                BrokerTestSupport.produce(channel, Acks.ACKS_ALL, "scraped", 0, BrokerTestSupport.batch("p", 2));
                BrokerTestSupport.readAll(channel, "scraped", 0, 0);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
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
        for (String family : List.of(
                "jvm_",
                "process_",
                "ferry_controller_",
                "ferry_broker_request_seconds_bucket",
                "ferry_broker_topic_in_bytes_total",
                "ferry_partition_high_watermark",
                "ferry_broker_produce_acks_all_wait_seconds_bucket",
                "ferry_log_cleaner_read_bytes_total",
                "ferry_log_cleaner_time_seconds_total",
                "ferry_partition_dirty_ratio")) {
            assertTrue(exposition.contains(family), "no " + family + " metrics in\n" + exposition);
        }
    }
}
