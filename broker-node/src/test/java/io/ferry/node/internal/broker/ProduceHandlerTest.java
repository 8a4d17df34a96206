package io.ferry.node.internal.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationListener;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the produce handler gives a request's buffer back, and which address its leader hints carry. */
class ProduceHandlerTest {

    @Test
    void theRequestsBufferIsReleasedOnceTheOutcomesAreInAndBeforeTheResponseLeaves() {
        ReplicaManager replicas = replicaManager(tp -> {
            throw new AssertionError("no partition is hosted");
        });
        ProduceHandler handler = new ProduceHandler(replicas, () -> BrokerMetadata.EMPTY,
                new BrokerMetrics(new SimpleMeterRegistry(), replicas), 1_000);
        AtomicBoolean released = new AtomicBoolean();
        ProduceRequest request = ProduceRequest.newBuilder().setAcks(Acks.ACKS_ALL)
                .addTopics(TopicProduceData.newBuilder().setTopic("nowhere")
                        .addPartitions(PartitionProduceData.newBuilder().setPartition(0)))
                .build();
        List<Boolean> releasedBeforeResponse = new ArrayList<>();
        List<ProduceResponse> responses = new ArrayList<>();

        handler.handle(new OffHeapProduceRequest(request, List.of(ByteBuffer.allocateDirect(0)),
                () -> assertTrue(released.compareAndSet(false, true), "released twice")), false, response -> {
            releasedBeforeResponse.add(released.get());
            responses.add(response);
        });

        assertEquals(List.of(true), releasedBeforeResponse);
        assertEquals(ErrorCode.UNKNOWN_TOPIC, responses.get(0).getTopics(0).getPartitions(0).getError().getCode());
    }

    @Test
    void aLeaderHintAfterAnAcksAllWaitNamesTheLeadersAddressOnTheCallersListener(@TempDir Path dir) throws Exception {
        TopicPartition tp = new TopicPartition("t", 0);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        Log log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), 0, InstantSource.system(), scheduler);
        try (ReplicaManager replicas = replicaManager(opened -> ReplicaLog.of(log))) {
            replicas.applyPartitionState(tp, new LeaderAndIsr(1, 1, 1, List.of(1, 2), List.of(1, 2)));
            // The view already names broker 2 as the leader the wait will end with.
            BrokerMetadata view = new BrokerMetadata(2, Map.of(1, broker(1), 2, broker(2)),
                    Map.of("t", TopicRecord.newBuilder().setName("t").setTopicId("id-t").setPartitionCount(1).build()),
                    Map.of("t", Map.of(0, PartitionRecord.newBuilder().setTopic("t").setTopicId("id-t").setPartition(0)
                            .addAllReplicas(List.of(1, 2)).addIsr(2).setLeader(2).setLeaderEpoch(2)
                            .setPartitionEpoch(2).build())));
            ProduceHandler handler = new ProduceHandler(replicas, () -> view,
                    new BrokerMetrics(new SimpleMeterRegistry(), replicas), 30_000);
            ByteBuffer records = BrokerTestSupport.batch("v", 3);
            ByteBuffer direct = ByteBuffer.allocateDirect(records.remaining()).put(records).flip();
            ProduceRequest request = ProduceRequest.newBuilder().setAcks(Acks.ACKS_ALL)
                    .addTopics(TopicProduceData.newBuilder().setTopic("t")
                            .addPartitions(PartitionProduceData.newBuilder().setPartition(0)))
                    .build();
            CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();

            handler.handle(new OffHeapProduceRequest(request, List.of(direct), () -> { }), true, answer::complete);
            assertFalse(answer.isDone(), "acks=all waits for broker 2");
            // Leadership moves while the request waits; the answer is built on the thread that moved it.
            CompletableFuture.runAsync(() -> replicas.applyPartitionState(tp,
                    new LeaderAndIsr(2, 2, 2, List.of(1, 2), List.of(2)))).get(10, TimeUnit.SECONDS);

            PartitionProduceResult result = answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NOT_LEADER, result.getError().getCode());
            LeaderHint hint = result.getLeader();
            assertEquals(2, hint.getLeaderId());
            assertEquals(external(2), hint.getEndpoint());
        } finally {
            log.close();
            scheduler.shutdownNow();
        }
    }

    private static ReplicaManager replicaManager(Function<TopicPartition, ReplicaLog> logs) {
        return new ReplicaManager(1, new ReplicaLogs() {
            @Override
            public ReplicaLog open(TopicPartition tp) {
                return logs.apply(tp);
            }

            @Override
            public void delete(TopicPartition tp) {
            }
        }, topic -> 1, new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment((delayMs, task) -> () -> { }, InstantSource.system(),
                        (leader, replica, params, partitions, timeout) -> CompletableFuture.failedFuture(
                                new IOException("no leader in this test")),
                        (tp, leaderEpoch, partitionEpoch, isr) -> CompletableFuture.failedFuture(
                                new IOException("no controller in this test")),
                        ReplicationListener.NONE));
    }

    private static BrokerRegistration broker(int id) {
        return BrokerRegistration.newBuilder().setBrokerId(id)
                .addEndpoints(Endpoint.newBuilder().setName(CallerEndpoints.INTERNAL).setHost("broker-" + id).setPort(9092))
                .addEndpoints(external(id)).build();
    }

    private static Endpoint external(int id) {
        return Endpoint.newBuilder().setName(CallerEndpoints.EXTERNAL).setHost("127.0.0.1").setPort(9091 + id).build();
    }
}
