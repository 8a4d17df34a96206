package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.replication.ReplicaManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the produce handler gives a request's buffer back, and which address its leader hints carry. */
class ProduceHandlerTest {

    @Test
    void theRequestsBufferIsReleasedOnceTheOutcomesAreInAndBeforeTheResponseLeaves() {
        ReplicaManager replicas = HandlerFixtures.replicaManager(tp -> {
            throw new AssertionError("no partition is hosted");
        });
        ProduceHandler handler = new ProduceHandler(
                replicas,
                () -> BrokerMetadata.EMPTY,
                new BrokerMetrics(new SimpleMeterRegistry(), replicas),
                1_000,
                BrokerAuthorizer.allowingEverything());
        AtomicBoolean released = new AtomicBoolean();
        ProduceRequest request = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_ALL)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("nowhere")
                        .addPartitions(PartitionProduceData.newBuilder().setPartition(0)))
                .build();
        List<Boolean> releasedBeforeResponse = new ArrayList<>();
        List<ProduceResponse> responses = new ArrayList<>();

        handler.handle(
                new OffHeapProduceRequest(
                        request,
                        List.of(ByteBuffer.allocateDirect(0)),
                        () -> assertTrue(released.compareAndSet(false, true), "released twice")),
                false,
                response -> {
                    releasedBeforeResponse.add(released.get());
                    responses.add(response);
                });

        assertEquals(List.of(true), releasedBeforeResponse);
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                responses.get(0).getTopics(0).getPartitions(0).getError().getCode());
    }

    @Test
    void aLeaderHintAfterAnAcksAllWaitNamesTheLeadersAddressOnTheCallersListener(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = new HandlerFixtures.LeaderOfT0(dir)) {
            // The view already names broker 2 as the leader the wait will end with.
            BrokerMetadata view = HandlerFixtures.ledByBroker2(leader.tp);
            ProduceHandler handler = new ProduceHandler(
                    leader.replicas,
                    () -> view,
                    new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                    30_000,
                    BrokerAuthorizer.allowingEverything());
            CompletableFuture<ProduceResponse> answer = produceAcksAllToT0(handler, 0, true);
            assertFalse(answer.isDone(), "acks=all waits for broker 2");
            leader.moveLeadershipToBroker2();

            PartitionProduceResult result =
                    answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NOT_LEADER, result.getError().getCode());
            LeaderHint hint = result.getLeader();
            assertEquals(2, hint.getLeaderId());
            assertEquals(HandlerFixtures.external(2), hint.getEndpoint());
        }
    }

    @Test
    void anAcksAllWaitLongerThanTheBrokersRequestTimeoutIsCutToIt(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = new HandlerFixtures.LeaderOfT0(dir)) {
            BrokerMetadata view = HandlerFixtures.ledByBroker2(leader.tp);
            ProduceHandler handler = new ProduceHandler(
                    leader.replicas,
                    () -> view,
                    new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                    200,
                    BrokerAuthorizer.allowingEverything());
            // A client asking the broker to hold its request for 24 days.
            CompletableFuture<ProduceResponse> answer = produceAcksAllToT0(handler, Integer.MAX_VALUE, false);

            PartitionProduceResult result =
                    answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, result.getError().getCode(), result.toString());
        }
    }

    /** Three records to {@code t-0}, acks=all with {@code timeoutMs}; the answer completes the future. */
    private static CompletableFuture<ProduceResponse> produceAcksAllToT0(
            ProduceHandler handler, int timeoutMs, boolean externalCaller) {
        ByteBuffer records = BrokerTestSupport.batch("v", 3);
        ByteBuffer direct =
                ByteBuffer.allocateDirect(records.remaining()).put(records).flip();
        ProduceRequest request = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_ALL)
                .setTimeoutMs(timeoutMs)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("t")
                        .addPartitions(PartitionProduceData.newBuilder().setPartition(0)))
                .build();
        CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
        handler.handle(new OffHeapProduceRequest(request, List.of(direct), () -> {}), externalCaller, answer::complete);
        return answer;
    }
}
