package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Gauge;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Compacted topics on one broker,controller node: their configs, as a client sets and changes them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompactedTopicsTest {

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(BrokerTestSupport.freePort(), dir.resolve("logs"));
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    /** One keyed record stamped with the current time, so only a roll by age can start a segment for it. */
    private static ByteBuffer keyedRecordNow(String key, String value) {
        return RecordBatchBuilder.create(CompressionType.NONE)
                .append(
                        System.currentTimeMillis(),
                        key.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private CreateTopicResponse create(String topic, Map<String, String> configs) {
        return stub(channel)
                .createTopic(CreateTopicRequest.newBuilder()
                        .setName(topic)
                        .setPartitionCount(1)
                        .setReplicationFactor(1)
                        .putAllConfigs(configs)
                        .build());
    }

    private double segments(String topic) {
        Gauge gauge = node.meterRegistry()
                .find("ferry.partition.segments")
                .tags("topic", topic, "partition", "0")
                .gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void anUnknownCleanupPolicyOrCompactionLagsOutOfOrderAreInvalidConfigAndTheNodeKeepsServing() {
        CreateTopicResponse shred = create("shredded", Map.of("cleanup.policy", "shred"));
        assertEquals(ErrorCode.INVALID_CONFIG, shred.getError().getCode(), shred.toString());
        assertEquals(
                "cleanup.policy: expected delete, compact or compact,delete (words in any order and case), got 'shred'",
                shred.getError().getMessage());

        CreateTopicResponse lags = create(
                "lagging",
                Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000", "max.compaction.lag.ms", "1000"));
        assertEquals(ErrorCode.INVALID_CONFIG, lags.getError().getCode(), lags.toString());
        assertEquals(
                "max.compaction.lag.ms 1000 is below min.compaction.lag.ms 60000, so a record would have to be "
                        + "compacted before it may be; set max.compaction.lag.ms to at least min.compaction.lag.ms",
                lags.getError().getMessage());

        for (String refused : new String[] {"shredded", "lagging"}) {
            assertEquals(
                    ErrorCode.UNKNOWN_TOPIC,
                    stub(channel)
                            .describeTopics(DescribeTopicsRequest.newBuilder()
                                    .addNames(refused)
                                    .build())
                            .getTopics(0)
                            .getError()
                            .getCode());
        }
        createTopic(channel, "after-refusals", 1, Map.of("cleanup.policy", "Delete,COMPACT"));
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "after-refusals", 0, keyedRecordNow("k", "v"))
                        .getError()
                        .getCode());
    }

    @Test
    void alteringTheCleanupPolicyReachesTheOpenLog() {
        // max.compaction.lag.ms rolls the active segment of a compacted log only: while the topic deletes,
        // records stamped now stay in one segment.
        createTopic(channel, "becomes-compacted", 1, Map.of("max.compaction.lag.ms", "1"));
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    ErrorCode.NONE,
                    produce(channel, Acks.ACKS_ALL, "becomes-compacted", 0, keyedRecordNow("k" + i, "v"))
                            .getError()
                            .getCode());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> segments("becomes-compacted") == 1.0);

        AlterTopicConfigsResponse shred = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("becomes-compacted")
                        .putSet("cleanup.policy", "shred")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, shred.getError().getCode(), shred.toString());
        assertEquals(
                "cleanup.policy: expected delete, compact or compact,delete (words in any order and case), got 'shred'",
                shred.getError().getMessage());
        AlterTopicConfigsResponse lags = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("becomes-compacted")
                        .putSet("min.compaction.lag.ms", "2")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, lags.getError().getCode(), lags.toString());

        AlterTopicConfigsResponse altered = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("becomes-compacted")
                        .putSet("cleanup.policy", "compact")
                        .build());
        assertEquals(ErrorCode.NONE, altered.getError().getCode(), altered.toString());
        assertEquals(Map.of("cleanup.policy", "compact", "max.compaction.lag.ms", "1"), altered.getConfigsMap());
        // Once the broker applied the change to the log, each record (1 ms after the last) starts a segment.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    double before = segments("becomes-compacted");
                    produce(channel, Acks.ACKS_ALL, "becomes-compacted", 0, keyedRecordNow("k", "later"));
                    return segments("becomes-compacted") > before;
                });
    }
}
