package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.ferry.proto.v1.TopicProduceData;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A number or enum out of range is refused INVALID_REQUEST naming the field and the value sent, instead
 * of a silent default: request-wide fields refuse every partition, a partition's fields that partition.
 */
class InvalidFieldsTest {

    private HandlerFixtures.LeaderOfT0 leader;
    private BrokerMetrics metrics;

    @BeforeEach
    void leadT0(@TempDir Path dir) throws Exception {
        leader = HandlerFixtures.LeaderOfT0.alone(dir);
        leader.append(BrokerTestSupport.batch("v", 3));
        metrics = new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas);
    }

    @AfterEach
    void close() {
        leader.close();
    }

    private BrokerMetadata view() {
        return HandlerFixtures.ledByBroker2(leader.tp);
    }

    private static void assertRefused(String message, Error error) {
        assertEquals(ErrorCode.INVALID_REQUEST, error.getCode(), error.getMessage());
        assertEquals(message, error.getMessage());
    }

    private Error produced(UnaryOperator<ProduceRequest.Builder> change) throws Exception {
        ProduceHandler handler =
                new ProduceHandler(leader.replicas, this::view, metrics, 1_000, BrokerAuthorizer.allowingEverything());
        ProduceRequest request = change.apply(ProduceRequest.newBuilder()
                        .setAcks(io.ferry.proto.v1.Acks.ACKS_LEADER)
                        .addTopics(TopicProduceData.newBuilder()
                                .setTopic("t")
                                .addPartitions(PartitionProduceData.newBuilder().setPartition(0))))
                .build();
        ByteBuffer records = BrokerTestSupport.batch("w", 1);
        ByteBuffer direct =
                ByteBuffer.allocateDirect(records.remaining()).put(records).flip();
        CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
        handler.handle(new OffHeapProduceRequest(request, List.of(direct), () -> {}), false, answer::complete);
        return answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0).getError();
    }

    @Test
    void produceRefusesAnUnknownAcksValueAndANegativeTimeoutAndAppendsNothing() throws Exception {
        assertRefused(
                "acks is 99; it must be 0 (unspecified, meaning all), 1 (none), 2 (leader) or 3 (all)",
                produced(r -> r.setAcksValue(99)));
        assertRefused("timeout_ms is -1; it must be 0 or more", produced(r -> r.setTimeoutMs(-1)));
        assertEquals(
                3, leader.replicas.partition(leader.tp).orElseThrow().snapshot().logEndOffset());
        assertEquals(
                ErrorCode.NONE,
                produced(r -> r.setAcksValue(0).setTimeoutMs(0)).getCode(),
                "0 keeps its documented meaning: acks all, the default timeout");
    }

    private Error fetched(UnaryOperator<FetchRequest.Builder> change, UnaryOperator<FetchPartition.Builder> partition)
            throws Exception {
        FetchHandler handler = new FetchHandler(
                leader.replicas, this::view, metrics, 30_000, Integer.MAX_VALUE, BrokerAuthorizer.allowingEverything());
        FetchRequest request = change.apply(FetchRequest.newBuilder()
                        .addTopics(FetchTopic.newBuilder()
                                .setTopic("t")
                                .addPartitions(partition.apply(FetchPartition.newBuilder()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(-1)))))
                .build();
        CompletableFuture<FetchResponse> answer = new CompletableFuture<>();
        handler.handle(request, false, HandlerFixtures.plentyOfMemory(), answer::complete);
        return answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0).getError();
    }

    @Test
    void fetchRefusesNegativeWaitsAndSizesAndEpochsBelowMinusOne() throws Exception {
        assertRefused("max_wait_ms is -1; it must be 0 or more", fetched(r -> r.setMaxWaitMs(-1), p -> p));
        assertRefused("min_bytes is -5; it must be 0 or more", fetched(r -> r.setMinBytes(-5), p -> p));
        assertRefused(
                "max_bytes is -2147483648; it must be 0 or more",
                fetched(r -> r.setMaxBytes(Integer.MIN_VALUE), p -> p));
        assertRefused(
                "partition_max_bytes is -1; it must be 0 or more", fetched(r -> r, p -> p.setPartitionMaxBytes(-1)));
        assertRefused(
                "current_leader_epoch is -2; it must be -1 (unknown) or a leader epoch (0 or more)",
                fetched(r -> r, p -> p.setCurrentLeaderEpoch(-2)));
        assertEquals(ErrorCode.NONE, fetched(r -> r, p -> p).getCode());
    }

    private Error replicaFetched(
            UnaryOperator<ReplicaFetchRequest.Builder> change, UnaryOperator<ReplicaFetchPartition.Builder> partition)
            throws Exception {
        ReplicaFetchHandler handler = new ReplicaFetchHandler(
                leader.replicas, this::view, metrics, 30_000, Integer.MAX_VALUE, BrokerAuthorizer.allowingEverything());
        ReplicaFetchRequest request = change.apply(ReplicaFetchRequest.newBuilder()
                        .setReplicaId(2)
                        .addTopics(ReplicaFetchTopic.newBuilder()
                                .setTopic("t")
                                .addPartitions(partition.apply(ReplicaFetchPartition.newBuilder()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(1)
                                        .setLastFetchedEpoch(-1)))))
                .build();
        CompletableFuture<ReplicaFetchResponse> answer = new CompletableFuture<>();
        handler.handle(request, HandlerFixtures.plentyOfMemory(), answer::complete);
        return answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0).getError();
    }

    @Test
    void replicaFetchRefusesANegativeReplicaIdWaitAndSizesAndEpochsBelowMinusOne() throws Exception {
        assertRefused("replica_id is -1; it must be 0 or more", replicaFetched(r -> r.setReplicaId(-1), p -> p));
        assertRefused("max_wait_ms is -7; it must be 0 or more", replicaFetched(r -> r.setMaxWaitMs(-7), p -> p));
        assertRefused("min_bytes is -1; it must be 0 or more", replicaFetched(r -> r.setMinBytes(-1), p -> p));
        assertRefused("max_bytes is -1; it must be 0 or more", replicaFetched(r -> r.setMaxBytes(-1), p -> p));
        assertRefused(
                "partition_max_bytes is -3; it must be 0 or more",
                replicaFetched(r -> r, p -> p.setPartitionMaxBytes(-3)));
        assertRefused(
                "current_leader_epoch is -9; it must be -1 (unknown) or a leader epoch (0 or more)",
                replicaFetched(r -> r, p -> p.setCurrentLeaderEpoch(-9)));
        assertRefused(
                "last_fetched_epoch is -2; it must be -1 (unknown) or a leader epoch (0 or more)",
                replicaFetched(r -> r, p -> p.setLastFetchedEpoch(-2)));
        assertEquals(ErrorCode.NONE, replicaFetched(r -> r, p -> p).getCode());
    }

    @Test
    void listOffsetsRefusesATimestampBelowMinusTwo() {
        ListOffsetsHandler handler =
                new ListOffsetsHandler(leader.replicas, this::view, BrokerAuthorizer.allowingEverything());
        Error error = handler.handle(
                        ListOffsetsRequest.newBuilder()
                                .addTopics(ListOffsetsTopic.newBuilder()
                                        .setTopic("t")
                                        .addPartitions(ListOffsetsPartition.newBuilder()
                                                .setPartition(0)
                                                .setTimestamp(-3)))
                                .build(),
                        false)
                .getTopics(0)
                .getPartitions(0)
                .getError();

        assertRefused("timestamp is -3; it must be -2 (earliest), -1 (latest) or milliseconds since the epoch", error);
    }

    @Test
    void deleteRecordsRefusesAnOffsetBelowMinusOneAndDeletesNothing() {
        DeleteRecordsHandler handler =
                new DeleteRecordsHandler(leader.replicas, this::view, BrokerAuthorizer.allowingEverything());
        Error error = handler.handle(
                        DeleteRecordsRequest.newBuilder()
                                .addTopics(DeleteRecordsTopic.newBuilder()
                                        .setTopic("t")
                                        .addPartitions(DeleteRecordsPartition.newBuilder()
                                                .setPartition(0)
                                                .setOffset(-2)))
                                .build(),
                        false)
                .getTopics(0)
                .getPartitions(0)
                .getError();

        assertRefused("offset is -2; it must be -1 (the high watermark) or an offset (0 or more)", error);
        assertEquals(
                0, leader.replicas.partition(leader.tp).orElseThrow().snapshot().logStartOffset());
    }
}
