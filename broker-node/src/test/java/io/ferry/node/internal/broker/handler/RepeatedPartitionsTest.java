package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsPartitionResult;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition named more than once in one Fetch, ReplicaFetch, ListOffsets or DeleteRecords is served
 * once: every later naming is refused INVALID_REQUEST, as Produce refuses it.
 */
class RepeatedPartitionsTest {

    private static final String REPEATED = "partition t-0 appears more than once in one request";

    private static void assertRefusedAsRepeated(Error error) {
        assertEquals(ErrorCode.INVALID_REQUEST, error.getCode(), error.getMessage());
        assertTrue(error.getMessage().contains(REPEATED), error.getMessage());
    }

    @Test
    void aFetchNamingOnePartition2000TimesReturnsItsRecordsOnce(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir)) {
            leader.append(BrokerTestSupport.batch("v", 3));
            FetchHandler handler = new FetchHandler(
                    leader.replicas,
                    () -> HandlerFixtures.ledByBroker2(leader.tp),
                    new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                    30_000,
                    Integer.MAX_VALUE,
                    BrokerAuthorizer.allowingEverything());
            FetchTopic.Builder topic = FetchTopic.newBuilder().setTopic("t");
            for (int i = 0; i < 2_000; i++) {
                topic.addPartitions(FetchPartition.newBuilder()
                        .setPartition(0)
                        .setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20)
                        .setCurrentLeaderEpoch(-1));
            }
            CompletableFuture<FetchResponse> answer = new CompletableFuture<>();

            handler.handle(
                    FetchRequest.newBuilder()
                            .setMaxBytes(Integer.MAX_VALUE)
                            .addTopics(topic)
                            .build(),
                    false,
                    HandlerFixtures.plentyOfMemory(),
                    answer::complete);

            List<FetchPartitionResult> results =
                    answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitionsList();
            assertEquals(2_000, results.size());
            assertEquals(ErrorCode.NONE, results.get(0).getError().getCode());
            assertFalse(results.get(0).getRecords().isEmpty());
            for (FetchPartitionResult repeated : results.subList(1, results.size())) {
                assertRefusedAsRepeated(repeated.getError());
                assertTrue(repeated.getRecords().isEmpty());
            }
        }
    }

    @Test
    void aReplicaFetchNamingOnePartitionTwiceReadsItOnce(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir)) {
            leader.append(BrokerTestSupport.batch("v", 3));
            ReplicaFetchHandler handler = new ReplicaFetchHandler(
                    leader.replicas,
                    () -> HandlerFixtures.ledByBroker2(leader.tp),
                    new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                    30_000,
                    Integer.MAX_VALUE,
                    BrokerAuthorizer.allowingEverything());
            ReplicaFetchPartition position = ReplicaFetchPartition.newBuilder()
                    .setPartition(0)
                    .setFetchOffset(0)
                    .setCurrentLeaderEpoch(1)
                    .setLastFetchedEpoch(-1)
                    .setPartitionMaxBytes(1 << 20)
                    .build();
            CompletableFuture<ReplicaFetchResponse> answer = new CompletableFuture<>();

            handler.handle(
                    ReplicaFetchRequest.newBuilder()
                            .setReplicaId(2)
                            .addTopics(ReplicaFetchTopic.newBuilder()
                                    .setTopic("t")
                                    .addPartitions(position)
                                    .addPartitions(position))
                            .build(),
                    HandlerFixtures.plentyOfMemory(),
                    answer::complete);

            List<ReplicaFetchPartitionResult> results =
                    answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitionsList();
            assertEquals(ErrorCode.NONE, results.get(0).getError().getCode());
            assertFalse(results.get(0).getRecords().isEmpty());
            assertRefusedAsRepeated(results.get(1).getError());
            assertTrue(results.get(1).getRecords().isEmpty());
        }
    }

    @Test
    void listOffsetsNamingOnePartitionTwiceAnswersItOnce(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir)) {
            ListOffsetsHandler handler = new ListOffsetsHandler(
                    leader.replicas,
                    () -> HandlerFixtures.ledByBroker2(leader.tp),
                    BrokerAuthorizer.allowingEverything());
            ListOffsetsPartition latest = ListOffsetsPartition.newBuilder()
                    .setPartition(0)
                    .setTimestamp(-1)
                    .build();

            List<ListOffsetsPartitionResult> results = handler
                    .handle(
                            ListOffsetsRequest.newBuilder()
                                    .addTopics(ListOffsetsTopic.newBuilder()
                                            .setTopic("t")
                                            .addPartitions(latest))
                                    .addTopics(ListOffsetsTopic.newBuilder()
                                            .setTopic("t")
                                            .addPartitions(latest))
                                    .build(),
                            false)
                    .getTopicsList()
                    .stream()
                    .flatMap(t -> t.getPartitionsList().stream())
                    .toList();

            assertEquals(ErrorCode.NONE, results.get(0).getError().getCode());
            assertRefusedAsRepeated(results.get(1).getError());
        }
    }

    @Test
    void deleteRecordsNamingOnePartitionTwiceDeletesOnce(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir)) {
            leader.append(BrokerTestSupport.batch("v", 3));
            DeleteRecordsHandler handler = new DeleteRecordsHandler(
                    leader.replicas,
                    () -> HandlerFixtures.ledByBroker2(leader.tp),
                    BrokerAuthorizer.allowingEverything());

            List<DeleteRecordsPartitionResult> results = handler.handle(
                            DeleteRecordsRequest.newBuilder()
                                    .addTopics(DeleteRecordsTopic.newBuilder()
                                            .setTopic("t")
                                            .addPartitions(DeleteRecordsPartition.newBuilder()
                                                    .setPartition(0)
                                                    .setOffset(1))
                                            .addPartitions(DeleteRecordsPartition.newBuilder()
                                                    .setPartition(0)
                                                    .setOffset(2)))
                                    .build(),
                            false)
                    .getTopics(0)
                    .getPartitionsList();

            assertEquals(1, results.get(0).getLowWatermark());
            assertRefusedAsRepeated(results.get(1).getError());
            assertEquals(
                    1,
                    leader.replicas
                            .partition(leader.tp)
                            .orElseThrow()
                            .snapshot()
                            .logStartOffset());
        }
    }
}
