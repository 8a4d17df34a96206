package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's own checker accepts what {@code /metrics} serves on a broker,controller node (JVM,
 * process, controller, broker and consumer group metrics). Tagged "tools": {@code ./mvnw verify -Ptools} runs it, and it
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
        try (FerryNode node = BrokerTestSupport.start(LoopbackPorts.freePort(), dir.resolve("logs"))) {
            ManagedChannel channel = BrokerTestSupport.channel(node);
            try {
                // A compacted log, for its dirty-ratio gauge (created first: the broker registers its gauges
                // after it makes the partition serve).
                BrokerTestSupport.createTopic(channel, "compacted", 1, java.util.Map.of("cleanup.policy", "compact"));
                BrokerTestSupport.createTopic(channel, "scraped", 1, java.util.Map.of());
                BrokerTestSupport.produce(channel, Acks.ACKS_ALL, "scraped", 0, BrokerTestSupport.batch("p", 2));
                BrokerTestSupport.readAll(channel, "scraped", 0, 0);
                commitAGroupOffset(channel);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // The coordinator exports the group's series from its next refresh.
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            NodeHttp.get(node.httpAddress(), "/metrics").body().contains("ferry_group_lag_records{"));
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
                "ferry_partition_dirty_ratio",
                "ferry_group_lag_records",
                "ferry_group_members",
                "ferry_group_state")) {
            assertTrue(exposition.contains(family), "no " + family + " metrics in\n" + exposition);
        }
    }

    /** A group with a committed offset of scraped-0, for the group gauges. */
    private static void commitAGroupOffset(ManagedChannel channel) {
        GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(channel);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> groups.withDeadlineAfter(10, TimeUnit.SECONDS)
                                .findCoordinator(FindCoordinatorRequest.newBuilder()
                                        .setGroupId("scrapers")
                                        .build())
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        OffsetCommitRequest commit = OffsetCommitRequest.newBuilder()
                .setGroupId("scrapers")
                .setMemberEpoch(-1)
                .addTopics(OffsetCommitRequest.Topic.newBuilder()
                        .setTopic("scraped")
                        .addPartitions(OffsetCommitRequest.Partition.newBuilder()
                                .setPartition(0)
                                .setCommittedOffset(1)
                                .setCommittedLeaderEpoch(-1)))
                .build();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            OffsetCommitResponse committed =
                    groups.withDeadlineAfter(10, TimeUnit.SECONDS).offsetCommit(commit);
            return committed.getError().getCode() == ErrorCode.NONE
                    && committed.getTopics(0).getPartitions(0).getError().getCode() == ErrorCode.NONE;
        });
    }
}
