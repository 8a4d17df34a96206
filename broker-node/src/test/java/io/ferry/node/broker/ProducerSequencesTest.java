package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches that carry a producer id, sequence and epoch (as Kafka's idempotent producer stamps them) through
 * a real node's produce RPC: the partition leader's producer state answers a retry with the original offsets
 * and appends nothing, and refuses a gap, an old epoch and a producer id beyond
 * {@code max.producer.ids.per.partition} with their own error codes, while the node keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerSequencesTest {

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("max.producer.ids.per.partition=2");
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    private static ByteBuffer batch(long producerId, int epoch, int baseSequence, String... values) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        if (producerId >= 0) {
            builder.producer(producerId, (short) epoch, baseSequence);
        }
        for (int i = 0; i < values.length; i++) {
            builder.append(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private PartitionProduceResult send(String topic, ByteBuffer batch) {
        return produce(channel, Acks.ACKS_ALL, topic, 0, batch);
    }

    @Test
    void aRetriedBatchIsAnsweredWithItsOriginalOffsetsAndAppendedOnce() throws Exception {
        createTopic(channel, "retried", 1, Map.of());
        ByteBuffer first = batch(7, 0, 0, "a", "b");
        assertEquals(0, send("retried", first).getBaseOffset());
        assertEquals(2, send("retried", batch(7, 0, 2, "c")).getBaseOffset());

        PartitionProduceResult retry = send("retried", first);

        assertEquals(
                ErrorCode.NONE, retry.getError().getCode(), retry.getError().getMessage());
        assertEquals(0, retry.getBaseOffset());
        assertEquals(List.of("0:a", "1:b", "2:c"), readAll(channel, "retried", 0, 0));
    }

    @Test
    void aRetryOfAnyBatchOfARequestWithManyIsRecognised() throws Exception {
        // Ferry's producer sends every ready batch of a partition in one request; the leader keeps them as
        // one run, so a retry of any of them is recognised, however many there were.
        createTopic(channel, "runs", 1, Map.of());
        List<ByteBuffer> batches = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batches.add(batch(31, 0, 2 * i, "r" + 2 * i, "r" + (2 * i + 1)));
            expected.add(2 * i + ":r" + 2 * i);
            expected.add((2 * i + 1) + ":r" + (2 * i + 1));
        }
        assertEquals(0, send("runs", concat(batches)).getBaseOffset());
        assertEquals(16, send("runs", batch(32, 0, 0, "other")).getBaseOffset());
        expected.add("16:other");

        for (int i : new int[] {0, 2, 7}) {
            PartitionProduceResult retry = send("runs", batch(31, 0, 2 * i, "r" + 2 * i, "r" + (2 * i + 1)));
            assertEquals(
                    ErrorCode.NONE, retry.getError().getCode(), retry.getError().getMessage());
            assertEquals(2 * i, retry.getBaseOffset(), "batch " + i);
        }
        assertEquals(expected, readAll(channel, "runs", 0, 0));
    }

    private static ByteBuffer concat(List<ByteBuffer> batches) {
        ByteBuffer all = ByteBuffer.allocate(
                batches.stream().mapToInt(ByteBuffer::remaining).sum());
        batches.forEach(b -> all.put(b.duplicate()));
        return all.flip();
    }

    @Test
    void aSequenceGapAndAnOldEpochAreRefusedAndTheProducerGoesOn() throws Exception {
        createTopic(channel, "sequenced", 1, Map.of());
        assertEquals(0, send("sequenced", batch(11, 3, 0, "a")).getBaseOffset());

        PartitionProduceResult gap = send("sequenced", batch(11, 3, 5, "lost-between"));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, gap.getError().getCode(), gap.toString());
        PartitionProduceResult fenced = send("sequenced", batch(11, 2, 1, "zombie"));
        assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH, fenced.getError().getCode(), fenced.toString());
        assertTrue(
                fenced.getError().getMessage().contains("epoch"),
                fenced.getError().getMessage());

        assertEquals(1, send("sequenced", batch(11, 3, 1, "b")).getBaseOffset());
        assertEquals(List.of("0:a", "1:b"), readAll(channel, "sequenced", 0, 0));
    }

    @Test
    void aPartitionRemembersAtMostItsLimitOfProducerIds() throws Exception {
        createTopic(channel, "crowded", 1, Map.of());
        assertEquals(0, send("crowded", batch(21, 0, 0, "a")).getBaseOffset());
        assertEquals(1, send("crowded", batch(22, 0, 0, "b")).getBaseOffset());

        PartitionProduceResult third = send("crowded", batch(23, 0, 0, "c"));

        assertEquals(ErrorCode.TOO_MANY_PRODUCER_IDS, third.getError().getCode(), third.toString());
        assertEquals(2, send("crowded", batch(21, 0, 1, "d")).getBaseOffset());
        assertEquals(3, send("crowded", batch(-1, -1, -1, "no producer id")).getBaseOffset());
    }
}
