package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.record.RecordBatch;
import java.time.Duration;
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
 * they get unless told to {@link FakeCluster#checkSequences check sequences} as a leader does): the
 * producer id from InitProducerId, a sequence per partition stamped once and resent unchanged, a fresh
 * producer id after a batch failed for good, and up to five runs of a partition in flight (each the
 * partition's new batches in one request) whose order holds across retries. That a leader appends a retry only once is the broker's part, tested on a real
 * node by {@code ProducerSequencesTest} and {@code IdempotentProducerNodeTest} in broker-node.
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
        cluster.checkSequences();
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

    /**
     * Sends {@code v<from>}..{@code v<to>} to partition 0, each once the previous one reached the leader, so
     * each is a request of its own; runs {@code afterFirst} once the first arrived.
     */
    private List<CompletableFuture<RecordMetadata>> sendOneByOne(
            FerryProducer producer, int from, int to, Runnable afterFirst) {
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            int requests = leader.produceRequests().size();
            futures.add(send(producer, 0, i));
            await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> leader.produceRequests().size() == requests + 1);
            if (i == from) {
                afterFirst.run();
            }
        }
        return futures;
    }

    private static final TopicPartition P0 = new TopicPartition("t", 0);

    /** A producer whose first batch on partition 0 is acknowledged: from then on its batches pipeline. */
    private FerryProducer pipeliningProducer() throws Exception {
        cluster.checkSequences();
        FerryProducer producer = producer("batch.size", 0);
        assertEquals(0, get(send(producer, 0, 0)).offset());
        return producer;
    }

    private void assertLogHoldsInOrder(List<String> values, long producerId) throws Exception {
        assertEquals(values, cluster.values(P0));
        int expected = 0;
        for (RecordBatch batch : cluster.batches(P0)) {
            assertEquals(producerId, batch.producerId());
            assertEquals(expected, batch.baseSequence());
            expected += batch.recordCount();
        }
    }

    /** Each future completes, the first at {@code first} and every next one at the next offset. */
    private static void assertOffsetsFrom(long first, List<CompletableFuture<RecordMetadata>> futures)
            throws Exception {
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(first + i, get(futures.get(i)).offset());
        }
    }

    private static List<String> values(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "v" + i).toList();
    }

    @Test
    void fiveBatchesOfAPartitionAreInFlightAtOnce() throws Exception {
        FerryProducer producer = pipeliningProducer();
        cluster.broker(cluster.leader(P0)).holdAnswers();

        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(send(producer, 0, i));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.batches(P0).size() == 6);
        assertTrue(futures.stream().noneMatch(CompletableFuture::isDone), "no answer was released");

        cluster.broker(cluster.leader(P0)).releaseAnswers(false);
        assertOffsetsFrom(1, futures);
        assertLogHoldsInOrder(values(0, 5), FIRST_ID);
    }

    /** {@code leader} has had {@code count} produce requests and gets no more for a while. */
    private static void assertRequestsStay(FakeBroker leader, int count) {
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(5))
                .until(() -> leader.produceRequests().size() == count);
    }

    /** After {@link #pipeliningProducer}: v1..v5 as five requests (runs), their answers held. */
    private List<CompletableFuture<RecordMetadata>> fiveRunsUnanswered(FerryProducer producer) {
        cluster.broker(cluster.leader(P0)).holdAnswers();
        return sendOneByOne(producer, 1, 5, () -> {});
    }

    @Test
    void aRequestTakesEveryReadyBatchOfAPartitionAsOneRun() throws Exception {
        FerryProducer producer = pipeliningProducer();
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        List<CompletableFuture<RecordMetadata>> futures = fiveRunsUnanswered(producer);
        for (int i = 6; i <= 12; i++) {
            futures.add(send(producer, 0, i)); // a batch each (batch.size=0), waiting: five runs are in flight
        }
        assertRequestsStay(leader, 6); // no sixth run while five are in flight

        leader.releaseAnswers(false);
        assertOffsetsFrom(1, futures);
        assertEquals(7, leader.produceRequests().size(), "v6..v12 went in one request");
        assertEquals(7, cluster.batches(P0).size() - 6, "as seven batches");
        assertLogHoldsInOrder(values(0, 12), FIRST_ID);
    }

    @Test
    void noNewRunWhileTheOldestUnresolvedIsFiveRunsBack() throws Exception {
        // The leader may have appended the four later runs: a sixth would push v1's run out of its memory.
        FerryProducer producer = pipeliningProducer();
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        List<CompletableFuture<RecordMetadata>> futures = fiveRunsUnanswered(producer);
        leader.releaseAnswersButFirst();
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> futures.subList(1, 5).stream().allMatch(CompletableFuture::isDone));
        futures.add(send(producer, 0, 6));
        assertRequestsStay(leader, 6); // v6 waits for v1's answer

        leader.releaseAnswers(false);
        assertOffsetsFrom(1, futures);
        assertLogHoldsInOrder(values(0, 6), FIRST_ID);
    }

    @Test
    void theFirstBatchUnderAnIdGoesAloneSoALaterOneCannotOvertakeIt() throws Exception {
        // A leader that does not know the producer takes any sequence: v1 must wait until v0 is acknowledged.
        cluster.checkSequences();
        FerryProducer producer = producer("batch.size", 0);
        producer.partitionsFor("t");
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        leader.holdAnswers();
        leader.failNextProduce(ErrorCode.NOT_ENOUGH_REPLICAS, 1);
        List<CompletableFuture<RecordMetadata>> futures = sendOneByOne(producer, 0, 0, () -> {});
        futures.add(send(producer, 0, 1));

        leader.releaseAnswers(false);
        assertEquals(0, get(futures.get(0)).offset());
        assertEquals(1, get(futures.get(1)).offset());
        assertLogHoldsInOrder(values(0, 1), FIRST_ID);
    }

    /**
     * After {@link #pipeliningProducer}: v1..v5 as five requests in flight at once (their answers held until
     * the last arrived), {@code afterFirst} run once v1 arrived; then the answers, in order or reversed.
     */
    private List<CompletableFuture<RecordMetadata>> fiveInFlight(
            FerryProducer producer, Runnable afterFirst, boolean reverseAnswers) {
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        leader.holdAnswers();
        List<CompletableFuture<RecordMetadata>> futures = sendOneByOne(producer, 1, 5, afterFirst);
        leader.releaseAnswers(reverseAnswers);
        return futures;
    }

    @Test
    void answersArrivingInReverseCompleteEveryBatchAtItsOffset() throws Exception {
        FerryProducer producer = pipeliningProducer();
        List<CompletableFuture<RecordMetadata>> futures = fiveInFlight(producer, () -> {}, true);

        assertOffsetsFrom(1, futures);
        assertEquals(6, cluster.broker(cluster.leader(P0)).produceRequests().size(), "nothing was retried");
        assertLogHoldsInOrder(values(0, 5), FIRST_ID);
    }

    @Test
    void batchesRefusedAfterAnEarlierRetriableFailureAreRetriedInOrder() throws Exception {
        FerryProducer producer = pipeliningProducer();
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        // v1 is appended; v2 is refused (not appended), so the leader refuses v3..v5 as out of sequence.
        List<CompletableFuture<RecordMetadata>> futures =
                fiveInFlight(producer, () -> leader.failNextProduce(ErrorCode.NOT_ENOUGH_REPLICAS, 1), false);

        assertOffsetsFrom(1, futures);
        assertTrue(leader.produceRequests().size() >= 6 + 4, "v2..v5 were sent again");
        assertLogHoldsInOrder(values(0, 5), FIRST_ID);
    }

    @Test
    void aBatchFailingForGoodMidPipelineLetsTheLaterOnesGoOnUnderAFreshId() throws Exception {
        FerryProducer producer = pipeliningProducer();
        FakeBroker leader = cluster.broker(cluster.leader(P0));
        List<CompletableFuture<RecordMetadata>> futures =
                fiveInFlight(producer, () -> leader.failNextProduce(ErrorCode.CORRUPT_BATCH, 1), false);

        assertEquals(1, get(futures.get(0)).offset());
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> futures.get(1).get(20, TimeUnit.SECONDS));
        assertEquals(
                ErrorCode.CORRUPT_BATCH,
                assertInstanceOf(FerryException.class, e.getCause()).code());
        for (int i = 2; i < futures.size(); i++) {
            assertEquals(i, get(futures.get(i)).offset());
        }
        assertEquals(List.of("v0", "v1", "v3", "v4", "v5"), cluster.values(P0));
        List<RecordBatch> batches = cluster.batches(P0);
        for (int i = 2; i < batches.size(); i++) {
            assertEquals(FIRST_ID + 1, batches.get(i).producerId(), "renumbered under the fresh id");
            assertEquals(i - 2, batches.get(i).baseSequence());
        }
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
