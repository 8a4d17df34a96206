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
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
        }, (delayMs, task) -> () -> { }, topic -> 1);
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
