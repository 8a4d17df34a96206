package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static io.ferry.node.broker.BrokerTestSupport.produceRequest;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.NodeHttpAccess;
import io.ferry.node.ThreadNiceValues;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        // A cleaner that looks for work often, with a small key map.
        settings.addAll(List.of("log.cleaner.backoff.ms=50", "log.cleaner.dedupe.buffer.size=4194304"));
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    /**
     * One keyed record stamped with the current time: a segment's age counts from its first batch's
     * timestamp, so only a roll by age can start a segment for it.
     */
    private static ByteBuffer keyedRecordNow(String key, String value) {
        return recordNow(key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** As {@link #keyedRecordNow}, without a key. */
    private static ByteBuffer keylessRecordNow(String value) {
        return recordNow(null, value);
    }

    private static ByteBuffer recordNow(byte[] key, String value) {
        return RecordBatchBuilder.create(CompressionType.NONE)
                .append(System.currentTimeMillis(), key, value.getBytes(StandardCharsets.UTF_8))
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
    void aKeylessRecordIsRefusedByACompactedTopicAndTheConnectionThenProducesKeyedOnes() throws Exception {
        createTopic(channel, "keyed-only", 1, Map.of("cleanup.policy", "compact"));

        PartitionProduceResult keyless = produce(channel, Acks.ACKS_ALL, "keyed-only", 0, batch("no-key-", 2));
        assertEquals(ErrorCode.INVALID_RECORD, keyless.getError().getCode(), keyless.toString());
        assertTrue(
                keyless.getError()
                        .getMessage()
                        .contains("record 0 has no key, and the topic is compacted (cleanup.policy=compact)"),
                keyless.getError().getMessage());
        ByteBuffer secondKeyless = RecordBatchBuilder.create(CompressionType.NONE)
                .append(System.currentTimeMillis(), "k".getBytes(StandardCharsets.UTF_8), new byte[1])
                .append(System.currentTimeMillis(), null, new byte[1])
                .build();
        PartitionProduceResult mixed = produce(channel, Acks.ACKS_LEADER, "keyed-only", 0, secondKeyless);
        assertEquals(ErrorCode.INVALID_RECORD, mixed.getError().getCode(), mixed.toString());
        assertTrue(
                mixed.getError().getMessage().contains("record 1 has no key"),
                mixed.getError().getMessage());

        PartitionProduceResult keyed = produce(channel, Acks.ACKS_ALL, "keyed-only", 0, keyedRecordNow("k", "first"));
        assertEquals(ErrorCode.NONE, keyed.getError().getCode(), keyed.toString());
        assertEquals(0, keyed.getBaseOffset(), "the refused batches took no offsets");

        // On a produce stream: the refusal is an answer, and the stream carries on.
        BlockingQueue<ProduceResponse> answers = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> ended = new LinkedBlockingQueue<>();
        StreamObserver<ProduceRequest> stream = BrokerServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .produceStream(new StreamObserver<>() {
                    @Override
                    public void onNext(ProduceResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.add(new IllegalStateException("completed"));
                    }
                });
        stream.onNext(produceRequest(1, Acks.ACKS_ALL, "keyed-only", 0, batch("no-key-", 1)));
        ProduceResponse refused = answers.poll(30, TimeUnit.SECONDS);
        assertEquals(1, refused.getCorrelationId());
        assertEquals(
                ErrorCode.INVALID_RECORD,
                refused.getTopics(0).getPartitions(0).getError().getCode());
        stream.onNext(produceRequest(2, Acks.ACKS_ALL, "keyed-only", 0, keyedRecordNow("k", "second")));
        ProduceResponse accepted = answers.poll(30, TimeUnit.SECONDS);
        assertEquals(2, accepted.getCorrelationId());
        PartitionProduceResult second = accepted.getTopics(0).getPartitions(0);
        assertEquals(ErrorCode.NONE, second.getError().getCode(), second.toString());
        assertEquals(1, second.getBaseOffset());
        stream.onCompleted();
        assertEquals("completed", ended.poll(30, TimeUnit.SECONDS).getMessage());

        assertEquals(List.of("0:first", "1:second"), readAll(channel, "keyed-only", 0, 0));
    }

    @Test
    void theCleanerCompactsATopicAndItsMetricsSaySo() throws Exception {
        createTopic(
                channel,
                "cleaned",
                1,
                Map.of("cleanup.policy", "compact", "segment.bytes", "1024", "min.cleanable.dirty.ratio", "0.1"));
        int records = 60;
        for (int i = 0; i < records; i++) {
            PartitionProduceResult appended =
                    produce(channel, Acks.ACKS_ALL, "cleaned", 0, keyedRecordNow("k" + (i % 3), "value-" + i));
            assertEquals(ErrorCode.NONE, appended.getError().getCode(), appended.toString());
        }
        // No count of segments here: the cleaner may merge them while the records still arrive.

        await().atMost(Duration.ofSeconds(60)).until(() -> counter("ferry.log.cleaner.passes") > 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> counter("ferry.log.cleaner.records.dropped") > 0);
        assertTrue(counter("ferry.log.cleaner.read.bytes") > 0);
        assertTrue(counter("ferry.log.cleaner.written.bytes") > 0);

        List<String> kept = readAll(channel, "cleaned", 0, 0);
        assertTrue(kept.size() < records, "superseded records were dropped: " + kept);
        for (int i = records - 3; i < records; i++) {
            assertTrue(kept.contains((long) i + ":value-" + i), "the latest value of each key stays: " + kept);
        }

        String scraped = NodeHttpAccess.metrics(node);
        for (String expected : List.of(
                "ferry_log_cleaner_passes_total ",
                "ferry_log_cleaner_read_bytes_total ",
                "ferry_log_cleaner_written_bytes_total ",
                "ferry_log_cleaner_records_dropped_total ",
                "ferry_log_cleaner_time_seconds_total ",
                "ferry_log_cleaner_max_compaction_delay_seconds ",
                "ferry_log_cleaner_uncleanable_partitions 0.0",
                "ferry_partition_dirty_ratio{partition=\"0\",topic=\"cleaned\"} ")) {
            assertTrue(scraped.contains(expected), "no " + expected + " in\n" + scraped);
        }
        double ratio = node.meterRegistry()
                .get("ferry.partition.dirty.ratio")
                .tags("topic", "cleaned")
                .gauge()
                .value();
        assertTrue(ratio >= 0 && ratio <= 1, "dirty ratio " + ratio);
    }

    private double counter(String name) {
        return node.meterRegistry().get(name).functionCounter().count();
    }

    @Test
    void theCleanerThreadRunsAtTheLowestPriority() {
        // log.cleaner.niceness defaults to 19: compaction takes only the CPU requests leave.
        assertEquals(Set.of(19), Set.copyOf(ThreadNiceValues.ofThreadsNamed("ferry-log-cleaner-1")));
    }

    @Test
    void alteringTheCleanupPolicyReachesTheOpenLog() {
        // max.compaction.lag.ms rolls the active segment of a compacted log only: while the topic deletes,
        // records stamped now stay in one segment.
        createTopic(channel, "becomes-compacted", 1, Map.of("max.compaction.lag.ms", "1"));
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "becomes-compacted", 0, keylessRecordNow("v"))
                        .getError()
                        .getCode(),
                "a topic that deletes takes keyless records");
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
        // Once the broker applied the change to the log, the log refuses keyless records...
        await().atMost(Duration.ofSeconds(30))
                .until(() -> produce(channel, Acks.ACKS_ALL, "becomes-compacted", 0, keylessRecordNow("v"))
                                .getError()
                                .getCode()
                        == ErrorCode.INVALID_RECORD);
        // ... its dirty ratio is measured...
        await().atMost(Duration.ofSeconds(10))
                .until(() -> node.meterRegistry()
                                .find("ferry.partition.dirty.ratio")
                                .tags("topic", "becomes-compacted")
                                .gauge()
                        != null);
        // ... and each record (1 ms after the last) starts a segment.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    double before = segments("becomes-compacted");
                    produce(channel, Acks.ACKS_ALL, "becomes-compacted", 0, keyedRecordNow("k", "later"));
                    return segments("becomes-compacted") > before;
                });
    }
}
