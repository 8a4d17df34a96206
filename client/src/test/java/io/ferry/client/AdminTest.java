package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminTest {

    private FakeCluster cluster;
    private FerryAdmin admin;

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(3);
        admin = admin(cluster.bootstrap(), 30_000);
    }

    @AfterEach
    void stop() {
        admin.close();
        cluster.close();
    }

    private static FerryAdmin admin(String bootstrap, int apiTimeoutMs) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("default.api.timeout.ms", apiTimeoutMs);
        props.put("request.timeout.ms", Math.min(apiTimeoutMs, 5000));
        props.put("retry.backoff.ms", 10);
        return new FerryAdmin(AdminConfig.of(props));
    }

    @Test
    void createDescribeListAndDeleteTopics() {
        TopicDescription created = admin.createTopic("orders", 3, 2, Map.of("retention.ms", "1000"));
        assertEquals("orders", created.name());
        assertEquals(3, created.partitions().size());
        assertEquals(Map.of("retention.ms", "1000"), created.configs());
        assertFalse(created.topicId().isEmpty());
        admin.createTopic("audit", 1, 1, Map.of());
        assertEquals(Set.of("audit", "orders"), admin.listTopics());
        TopicDescription described = admin.describeTopics(List.of("orders")).get("orders");
        assertEquals(
                List.of(0, 1, 2),
                described.partitions().stream().map(PartitionInfo::partition).toList());
        assertTrue(described.partitions().stream().allMatch(p -> p.leader() > 0));
        admin.deleteTopic("audit");
        assertEquals(Set.of("orders"), admin.listTopics());
    }

    @Test
    void brokerErrorsBecomeTypedExceptionsWithTheServersMessage() {
        admin.createTopic("orders", 1, 1, Map.of());
        FerryException exists = assertThrows(FerryException.class, () -> admin.createTopic("orders", 1, 1, Map.of()));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.code());
        assertFalse(exists.retriable());
        assertTrue(exists.getMessage().contains("orders already exists"), exists.getMessage());
        assertEquals(
                ErrorCode.INVALID_REPLICATION_FACTOR,
                assertThrows(FerryException.class, () -> admin.createTopic("x", 1, 9, Map.of()))
                        .code());
        assertEquals(
                ErrorCode.INVALID_TOPIC,
                assertThrows(FerryException.class, () -> admin.createTopic("../etc", 1, 1, Map.of()))
                        .code());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS,
                assertThrows(FerryException.class, () -> admin.createTopic("y", 0, 1, Map.of()))
                        .code());
        FerryException missing = assertThrows(FerryException.class, () -> admin.describeTopics(List.of("nope")));
        assertEquals(ErrorCode.UNKNOWN_TOPIC, missing.code());
        assertTrue(missing.getMessage().contains("nope"));
    }

    @Test
    void unknownTopicOnDeleteIsAnAnswerNotRetried() {
        int before = cluster.broker(1).adminRequests.get();
        FerryException e = assertThrows(FerryException.class, () -> admin.deleteTopic("nope"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC, e.code());
        assertEquals(before + 1, cluster.broker(1).adminRequests.get());
    }

    @Test
    void retriableErrorsAreRetried() {
        cluster.broker(1).failNextAdmin(ErrorCode.NOT_CONTROLLER, 2);
        assertEquals(2, admin.createTopic("orders", 2, 1, Map.of()).partitions().size());
        assertEquals(3, cluster.broker(1).adminRequests.get());
    }

    @Test
    void everyAttemptOfACallThatChangesTheClusterCarriesTheCallsOwnIdempotencyKey() {
        cluster.broker(1).failNextAdmin(ErrorCode.NOT_CONTROLLER, 2);
        admin.createTopic("orders", 2, 1, Map.of());
        admin.deleteTopic("orders");
        List<String> keys = cluster.broker(1).idempotencyKeys;
        assertEquals(4, keys.size(), keys.toString());
        assertFalse(keys.get(0).isEmpty());
        assertEquals(List.of(keys.get(0), keys.get(0), keys.get(0)), keys.subList(0, 3), "one key for every retry");
        assertFalse(keys.get(3).isEmpty());
        assertNotEquals(keys.get(0), keys.get(3), "a key of its own for each call");
    }

    @Test
    void retriesStopAtTheApiTimeoutWithTheLastError() {
        try (FerryAdmin impatient = admin(cluster.bootstrap(), 300)) {
            cluster.broker(1).failNextAdmin(ErrorCode.NOT_CONTROLLER, 1_000_000);
            FerryTimeoutException e =
                    assertThrows(FerryTimeoutException.class, () -> impatient.createTopic("orders", 1, 1, Map.of()));
            assertTrue(e.getMessage().contains("NOT_CONTROLLER"), e.getMessage());
            assertInstanceOf(FerryException.class, e.getCause());
        }
    }

    @Test
    void unreachableBootstrapServerIsSkipped() {
        try (FerryAdmin failover = admin("127.0.0.1:1," + cluster.bootstrap(), 30_000)) {
            failover.createTopic("orders", 1, 1, Map.of());
            assertEquals(Set.of("orders"), failover.listTopics());
        }
    }

    @Test
    void describeClusterListsBrokers() {
        ClusterDescription cd = admin.describeCluster();
        assertEquals(100, cd.controllerLeaderId());
        assertEquals(List.of(1, 2, 3), cd.brokers().stream().map(BrokerInfo::id).toList());
        assertEquals("127.0.0.1", cd.brokers().get(0).host());
    }

    @Test
    void listOffsetsAnswersEarliestLatestAndTimestamp() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        RecordBatchBuilder b = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < 5; i++) {
            b.append(1000 + i, null, ("v" + i).getBytes(UTF_8));
        }
        cluster.append(tp, b.build());
        assertEquals(
                0, admin.listOffsets(Map.of(tp, FerryAdmin.EARLIEST)).get(tp).offset());
        assertEquals(5, admin.listOffsets(Map.of(tp, FerryAdmin.LATEST)).get(tp).offset());
        assertEquals(
                new OffsetAndTimestamp(3, 1003),
                admin.listOffsets(Map.of(tp, 1003L)).get(tp));
        assertNull(admin.listOffsets(Map.of(tp, 9999L)).get(tp));
    }

    @Test
    void fetchBatchesReadsTheLeadersBatchesUndecodedCorruptOnesIncluded() throws Exception {
        cluster.createTopic("t", 2);
        TopicPartition tp = new TopicPartition("t", 1); // led by broker 2; the bootstrap is broker 1
        cluster.append(tp, PoisonBatches.good("v", 3, 1000));
        cluster.appendUnchecked(tp, PoisonBatches.poison(PoisonBatches.Kind.CRC_MISMATCH, "p", 4, 1000));
        cluster.append(tp, PoisonBatches.good("w", 2, 1000));

        FetchedBatches all = admin.fetchBatches(tp, 0, 1 << 20);
        assertEquals(
                List.of(0L, 3L, 7L),
                all.batches().stream().map(FetchedBatch::baseOffset).toList());
        assertEquals(
                List.of(FetchedBatch.End.HEADER, FetchedBatch.End.NEXT_BATCH, FetchedBatch.End.HEADER),
                all.batches().stream().map(FetchedBatch::end).toList());
        assertEquals(
                io.ferry.record.CorruptBatchException.Problem.CRC_MISMATCH,
                all.batches().get(1).problem().problem());
        assertEquals(9, all.highWatermark());
        assertEquals(9, all.nextFetchOffset());
        io.ferry.proto.v1.FetchRequest request = cluster.broker(2).fetchRequests.get(0);
        assertEquals(0, request.getMaxWaitMs(), "a tool's read does not long-poll");
        assertEquals(1 << 20, request.getTopics(0).getPartitions(0).getPartitionMaxBytes());

        FetchedBatches one = admin.fetchBatches(tp, 8, 1);
        assertEquals(1, one.batches().size(), "at least one batch, whatever maxBytes says");
        assertEquals(7, one.batches().get(0).baseOffset());
        FerryException outside = assertThrows(FerryException.class, () -> admin.fetchBatches(tp, 10, 100));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, outside.code());
        assertThrows(IllegalArgumentException.class, () -> admin.fetchBatches(tp, -1, 100));
    }
}
