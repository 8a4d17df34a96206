package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker learns its topics' overrides only from its first metadata view. Restarted while the
 * controllers are down, with a default retention that would delete every closed segment (1 byte,
 * checked every 50 ms), it must not delete the segments of a topic that overrides retention to keep
 * everything: retention waits for that first view.
 */
class RetentionAtStartTest {

    @TempDir
    Path dir;

    private FerryNode controller;
    private int controllerPort;
    private int raftPort;

    private void startController() throws Exception {
        controller = FerryNode.start(NodeConfig.of(Map.of(
                "node.id",
                "1",
                "process.roles",
                "controller",
                "controller.quorum.voters",
                "1@127.0.0.1:" + raftPort,
                "grpc.listener",
                "127.0.0.1:" + controllerPort,
                "http.listener",
                "127.0.0.1:0",
                "log.dirs",
                dir.resolve("controller").toString())));
    }

    private FerryNode startBroker() throws Exception {
        return FerryNode.start(NodeConfig.of(Map.of(
                "node.id",
                "101",
                "process.roles",
                "broker",
                "controller.quorum.voters",
                "1@127.0.0.1:" + raftPort,
                "controller.quorum.bootstrap.servers",
                "127.0.0.1:" + controllerPort,
                "grpc.listener",
                "127.0.0.1:0",
                "http.listener",
                "127.0.0.1:0",
                "log.dirs",
                dir.resolve("broker").toString(),
                "log.retention.bytes",
                "1",
                "log.retention.check.interval.ms",
                "50")));
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("broker").resolve("forever-0"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .count();
        }
    }

    @Test
    void aTopicKeptForeverKeepsItsSegmentsWhileTheBrokerWaitsForItsFirstView() throws Exception {
        raftPort = LoopbackPorts.freePort();
        controllerPort = LoopbackPorts.freePort();
        startController();
        long segments;
        try (FerryNode broker = startBroker()) {
            await().atMost(Duration.ofSeconds(30)).until(broker::isHealthy);
            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", broker.grpcAddress().getPort())
                    .usePlaintext()
                    .build();
            try {
                createTopic(
                        channel,
                        "forever",
                        1,
                        Map.of("retention.bytes", "-1", "retention.ms", "-1", "segment.bytes", "1024"));
                for (int i = 0; i < 20; i++) {
                    assertEquals(
                            ErrorCode.NONE,
                            produce(channel, Acks.ACKS_ALL, "forever", 0, batch("f" + i + "-", 10))
                                    .getError()
                                    .getCode());
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            segments = segmentFiles();
            assertTrue(segments >= 3, "the topic should span several segments: " + segments);
        }
        controller.close();

        try (FerryNode broker = startBroker()) {
            // No controller answers, so no view arrives; retention (every 50 ms) must keep its hands off.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> segmentFiles() == segments);
        }
    }
}
