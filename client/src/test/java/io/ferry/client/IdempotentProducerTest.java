package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.record.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the idempotent producer puts on the wire, against {@link FakeBroker}s (which append whatever
 * they get): the producer id from InitProducerId, a sequence per partition stamped once and resent
 * unchanged, and a fresh producer id after a batch failed for good. That a leader appends such a
 * retry only once is the broker's part, tested on a real node by {@code ProducerSequencesTest} and
 * {@code IdempotentProducerNodeTest} in broker-node.
 */
class IdempotentProducerTest {

    /** FakeCluster's first producer id. */
    private static final long FIRST_ID = 1000;

    private FakeCluster cluster;
    private TestProducers producers;

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(2);
        cluster.createTopic("t", 2);
        producers = new TestProducers(cluster);
    }

    @AfterEach
    void stop() {
        producers.close();
        cluster.close();
    }

    /** Idempotent, with {@code linger.ms=0}: every send is a batch of its own unless sends pile up. */
    private FerryProducer producer(Object... keyValues) {
        List<Object> settings = new ArrayList<>(List.of("enable.idempotence", true, "linger.ms", 0));
        settings.addAll(List.of(keyValues));
        return producers.create(settings.toArray());
    }

    private static RecordMetadata get(CompletableFuture<RecordMetadata> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static CompletableFuture<RecordMetadata> send(FerryProducer producer, int partition, int i) {
        return producer.send(new ProducerRecord("t", partition, null, ("v" + i).getBytes(UTF_8)));
    }

    private List<ByteString> recordsSent(TopicPartition tp) {
        List<ByteString> out = new ArrayList<>();
        for (ProduceRequest request : cluster.broker(cluster.leader(tp)).produceRequests()) {
            request.getTopicsList()
                    .forEach(topic -> topic.getPartitionsList().stream()
                            .filter(p -> topic.getTopic().equals(tp.topic()) && p.getPartition() == tp.partition())
                            .forEach(p -> out.add(p.getRecords())));
        }
        return out;
    }

    @Test
    void eachPartitionCountsItsOwnSequenceFromZero() throws Exception {
        FerryProducer producer = producer("batch.size", 0);
        for (int i = 0; i < 10; i++) {
            get(send(producer, i % 2, i));
        }
        producer.send(new ProducerRecord("t", 0, null, "a".getBytes(UTF_8)));
        producer.send(new ProducerRecord("t", 0, null, "b".getBytes(UTF_8)));
        producer.flush();
        for (int p = 0; p < 2; p++) {
            int expected = 0;
            for (RecordBatch batch : cluster.batches(new TopicPartition("t", p))) {
                assertEquals(FIRST_ID, batch.producerId());
                assertEquals(0, batch.producerEpoch());
                assertEquals(expected, batch.baseSequence(), "partition " + p);
                expected += batch.recordCount();
            }
            assertEquals(p == 0 ? 7 : 5, expected);
        }
        assertEquals(
                1,
                cluster.broker(1).initProducerIdRequests.get()
                        + cluster.broker(2).initProducerIdRequests.get());
    }

    @Test
    void aRetryAfterALostAnswerResendsTheSameBytes() throws Exception {
        FerryProducer producer = producer();
        TopicPartition tp = new TopicPartition("t", 0);
        get(send(producer, 0, 0));
        cluster.broker(cluster.leader(tp)).dropAnswersAfterAppend(1);

        get(send(producer, 0, 1));

        List<ByteString> sent = recordsSent(tp);
        assertEquals(3, sent.size(), "the first batch, the second and its retry");
        assertEquals(sent.get(1), sent.get(2));
        RecordBatch retried = cluster.batches(tp).get(2);
        assertEquals(FIRST_ID, retried.producerId());
        assertEquals(1, retried.baseSequence());
    }

    @Test
    void retriedBatchesKeepTheirSequenceAndPartitionOrderHolds() throws Exception {
        FerryProducer producer = producer("batch.size", 0);
        TopicPartition tp = new TopicPartition("t", 0);
        producer.partitionsFor("t");
        cluster.broker(cluster.leader(tp)).failNextProduce(ErrorCode.NOT_ENOUGH_REPLICAS, 3);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(send(producer, 0, i));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(i, get(futures.get(i)).offset());
        }
        assertEquals(IntStream.range(0, 20).mapToObj(i -> "v" + i).toList(), cluster.values(tp));
        int expected = 0;
        for (RecordBatch batch : cluster.batches(tp)) {
            assertEquals(expected, batch.baseSequence());
            expected += batch.recordCount();
        }
    }

    @Test
    void aSequenceErrorFailsTheBatchAndTheProducerGoesOnWithANewId() throws Exception {
        FerryProducer producer = producer();
        TopicPartition tp = new TopicPartition("t", 0);
        get(send(producer, 0, 0));
        cluster.broker(cluster.leader(tp)).failNextProduce(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 1);

        ExecutionException e = assertThrows(
                ExecutionException.class, () -> send(producer, 0, 1).get(20, TimeUnit.SECONDS));
        FerryException failure = assertInstanceOf(FerryException.class, e.getCause());
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, failure.code());
        assertTrue(
                failure.getMessage().contains("producer id " + FIRST_ID + ", base sequence 1"), failure.getMessage());

        get(send(producer, 0, 2));
        get(send(producer, 1, 3));
        List<RecordBatch> batches = cluster.batches(tp);
        RecordBatch after = batches.get(batches.size() - 1);
        assertEquals(FIRST_ID + 1, after.producerId());
        assertEquals(0, after.baseSequence());
        RecordBatch otherPartition = cluster.batches(new TopicPartition("t", 1)).get(0);
        assertEquals(FIRST_ID + 1, otherPartition.producerId());
        assertEquals(0, otherPartition.baseSequence());
    }

    @Test
    void initProducerIdIsRetriedUntilABrokerGivesAnId() throws Exception {
        cluster.broker(1).failNextInitProducerId(ErrorCode.NOT_CONTROLLER, 2);
        cluster.broker(2).failNextInitProducerId(ErrorCode.NOT_CONTROLLER, 2);
        FerryProducer producer = producer();
        get(send(producer, 0, 0));
        assertEquals(
                FIRST_ID, cluster.batches(new TopicPartition("t", 0)).get(0).producerId());
        assertTrue(cluster.broker(1).initProducerIdRequests.get()
                        + cluster.broker(2).initProducerIdRequests.get()
                >= 3);
    }

    @Test
    void withoutIdempotenceBatchesCarryNoProducer() throws Exception {
        FerryProducer producer = producer("enable.idempotence", false);
        get(send(producer, 0, 0));
        RecordBatch batch = cluster.batches(new TopicPartition("t", 0)).get(0);
        assertEquals(-1, batch.producerId());
        assertEquals(-1, batch.baseSequence());
        assertEquals(
                0,
                cluster.broker(1).initProducerIdRequests.get()
                        + cluster.broker(2).initProducerIdRequests.get());
    }
}
