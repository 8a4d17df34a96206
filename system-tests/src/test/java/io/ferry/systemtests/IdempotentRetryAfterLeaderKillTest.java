package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idempotent producer's retry that reaches a new leader after the old one was killed -9: the old leader
 * appended the batch and its in-sync followers have it, but the answer never reached the producer (here:
 * the test ignores it), so the producer sends the same bytes again to whoever leads now. The new leader
 * built the producer's state from the batches it replicated; it must answer the batch's original offset and
 * append nothing. At the protocol level, as any client would retry, with the batches stamped by hand.
 */
class IdempotentRetryAfterLeaderKillTest {

    private static final String TOPIC = "idempotent-retry";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRetryOfAnAppendedBatchAtTheNewLeaderIsAnsweredWithItsOffsetAndAppendsNothing() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("idempotent-retry", TOPIC, 1);
        int oldLeader = cluster.leader(TP);
        InitProducerIdResponse id =
                call(oldLeader, stub -> stub.initProducerId(InitProducerIdRequest.getDefaultInstance()));
        assertEquals(ErrorCode.NONE, id.getError().getCode(), id.toString());
        ByteBuffer first = batch(id, 0, "v0");
        ByteBuffer retried = batch(id, 1, "v1");

        assertEquals(0, appended(oldLeader, first));
        // Acknowledged with acks=all, so every in-sync replica has it; the producer never hears of it.
        assertEquals(1, appended(oldLeader, retried));

        cluster.kill(oldLeader);
        int newLeader = cluster.awaitLeader(TP, broker -> broker != oldLeader, FAILOVER_TIMEOUT);
        AtomicReference<PartitionProduceResult> retry = new AtomicReference<>();
        // Until the new leader has taken over (NOT_LEADER meanwhile, as for any client's retry).
        await().atMost(FAILOVER_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            retry.set(produce(newLeader, retried));
            return retry.get().getError().getCode() != ErrorCode.NOT_LEADER;
        });
        assertEquals(
                ErrorCode.NONE, retry.get().getError().getCode(), retry.get().toString());
        assertEquals(1, retry.get().getBaseOffset(), "the retry is answered with the offset of the first append");
        assertEquals(2, appended(newLeader, batch(id, 2, "v2")), "the next sequence goes on after it");

        Map<Long, String> expected = new TreeMap<>(Map.of(0L, "v0", 1L, "v1", 2L, "v2"));
        assertEquals(
                expected,
                PartitionContents.read(cluster.bootstrap(), TP, 3, FAILOVER_TIMEOUT)
                        .values());
    }

    private static ByteBuffer batch(InitProducerIdResponse id, int sequence, String value) {
        return RecordBatchBuilder.create(CompressionType.NONE)
                .producer(id.getProducerId(), (short) id.getProducerEpoch(), sequence)
                .append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** Produces with acks=all and returns the base offset, requiring success. */
    private long appended(int broker, ByteBuffer batch) {
        PartitionProduceResult result = produce(broker, batch);
        assertEquals(ErrorCode.NONE, result.getError().getCode(), result.toString());
        return result.getBaseOffset();
    }

    private PartitionProduceResult produce(int broker, ByteBuffer batch) {
        ProduceRequest request = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_ALL)
                .setTimeoutMs(10_000)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic(TOPIC)
                        .addPartitions(PartitionProduceData.newBuilder()
                                .setPartition(0)
                                .setRecords(ByteString.copyFrom(batch.duplicate()))))
                .build();
        return call(broker, stub -> stub.produce(request)).getTopics(0).getPartitions(0);
    }

    private <T> T call(int broker, Function<BrokerServiceGrpc.BrokerServiceBlockingStub, T> rpc) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(
                        cluster.node(broker).address())
                .usePlaintext()
                .build();
        try {
            return rpc.apply(BrokerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS));
        } catch (StatusRuntimeException e) {
            throw new AssertionError("broker " + broker + " failed the call: " + e.getStatus(), e);
        } finally {
            channel.shutdownNow();
        }
    }
}
