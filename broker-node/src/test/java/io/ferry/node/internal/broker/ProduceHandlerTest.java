package io.ferry.node.internal.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationListener;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** When the produce handler gives a request's buffer back. */
class ProduceHandlerTest {

    @Test
    void theRequestsBufferIsReleasedOnceTheOutcomesAreInAndBeforeTheResponseLeaves() {
        ReplicaManager replicas = new ReplicaManager(1, new ReplicaLogs() {
            @Override
            public ReplicaLog open(TopicPartition tp) {
                throw new AssertionError("no partition is hosted");
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
                () -> assertTrue(released.compareAndSet(false, true), "released twice")), response -> {
            releasedBeforeResponse.add(released.get());
            responses.add(response);
        });

        assertEquals(List.of(true), releasedBeforeResponse);
        assertEquals(ErrorCode.UNKNOWN_TOPIC, responses.get(0).getTopics(0).getPartitions(0).getError().getCode());
    }
}
