package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProducerTest {

    private FakeCluster cluster;
    private TestProducers producers;

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(2);
        producers = new TestProducers(cluster);
    }

    @AfterEach
    void stop() {
        producers.close();
        cluster.close();
    }

    private FerryProducer producer(Object... keyValues) {
        return producers.create(keyValues);
    }

    private static byte[] value(int i) {
        return String.format("value-%094d", i).getBytes(UTF_8); // 100 bytes
    }

    private static RecordMetadata get(CompletableFuture<RecordMetadata> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void fullBatchesAreSentWithoutWaitingForLinger() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer("batch.size", 1000, "linger.ms", 600_000, "delivery.timeout.ms", 900_000);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            futures.add(producer.send(new ProducerRecord("t", 0, null, value(i))));
        }
        // Only batch.size can have sent anything: linger is ten minutes.
        await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.batches(tp).size() >= 2);
        assertFalse(futures.get(24).isDone(), "the last, partial batch waits for linger.ms");
        for (RecordBatch batch : cluster.batches(tp)) {
            assertTrue(batch.recordCount() > 1, "records are batched");
            assertTrue(batch.sizeInBytes() <= 1000 + 200, "a batch stops near batch.size: " + batch.sizeInBytes());
        }
        producer.flush();
        assertTrue(futures.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < 25; i++) {
            assertEquals(i, get(futures.get(i)).offset());
        }
        assertEquals(
                IntStream.range(0, 25)
                        .mapToObj(i -> new String(value(i), UTF_8))
                        .toList(),
                cluster.values(tp));
    }

    @Test
    void lingerCollectsRecordsIntoOneRequest() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 500);
        producer.partitionsFor("t");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(producer.send(new ProducerRecord("t", 0, null, value(i))));
        }
        for (CompletableFuture<RecordMetadata> f : futures) {
            get(f);
        }
        List<ProduceRequest> requests = cluster.broker(1).produceRequests();
        assertEquals(1, requests.size(), "one request for ten records sent within linger.ms");
        assertEquals(1, cluster.batches(new TopicPartition("t", 0)).size());
        assertEquals(10, cluster.batches(new TopicPartition("t", 0)).get(0).recordCount());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void batchesAreCompressedWithTheConfiguredCodec(CompressionType type) throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer("compression.type", type.configName, "linger.ms", 50);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(producer.send(new ProducerRecord("t", 0, ("k" + i).getBytes(UTF_8), value(i))));
        }
        producer.flush();
        for (CompletableFuture<RecordMetadata> f : futures) {
            get(f);
        }
        List<String> read = new ArrayList<>();
        for (RecordBatch batch : cluster.batches(tp)) {
            batch.validate();
            assertEquals(type, batch.compression());
            RecordIterator it = batch.records();
            while (it.hasNext()) {
                Record r = it.next();
                assertEquals("k" + read.size(), new String(r.keyBytes(), UTF_8));
                read.add(new String(r.valueBytes(), UTF_8));
            }
        }
        assertEquals(
                IntStream.range(0, 20)
                        .mapToObj(i -> new String(value(i), UTF_8))
                        .toList(),
                read);
    }

    @Test
    void keyedRecordsLandWhereKafkaWouldPutThem() throws Exception {
        cluster.createTopic("keyed", 7);
        FerryProducer producer = producer("linger.ms", 0);
        for (int i = 0; i < 100; i++) {
            byte[] key = ("user-" + i).getBytes(UTF_8);
            RecordMetadata md = get(producer.send(new ProducerRecord("keyed", key, value(i))));
            int kafka = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                    % 7;
            assertEquals(kafka, md.partition(), "key user-" + i);
        }
    }

    @Test
    void nullKeysStickToOnePartitionUntilItsBatchCompletes() throws Exception {
        cluster.createTopic("s", 3);
        FerryProducer producer = producer("batch.size", 600, "linger.ms", 600_000, "delivery.timeout.ms", 900_000);
        producer.partitionsFor("s");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(producer.send(new ProducerRecord("s", null, value(i))));
        }
        producer.flush();
        List<Integer> partitions = new ArrayList<>();
        for (CompletableFuture<RecordMetadata> f : futures) {
            partitions.add(get(f).partition());
        }
        List<Integer> runs = new ArrayList<>();
        List<Integer> runPartitions = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            if (i == 0 || !partitions.get(i).equals(partitions.get(i - 1))) {
                runs.add(0);
                runPartitions.add(partitions.get(i));
            }
            runs.set(runs.size() - 1, runs.get(runs.size() - 1) + 1);
        }
        int batches = 0;
        for (int p = 0; p < 3; p++) {
            batches += cluster.batches(new TopicPartition("s", p)).size();
        }
        assertEquals(batches, runs.size(), "the partition changes exactly when a batch completes: " + partitions);
        for (int i = 0; i + 1 < runs.size(); i++) {
            assertTrue(runs.get(i) > 1, "a run fills a batch");
            assertNotEquals(runPartitions.get(i), runPartitions.get(i + 1));
        }
    }

    @Test
    void acksAreCarriedInRequestsAndAcksZeroDoesNotWait() throws Exception {
        cluster.createTopic("t", 1);
        Map<String, Acks> expected = Map.of("0", Acks.ACKS_NONE, "1", Acks.ACKS_LEADER, "all", Acks.ACKS_ALL);
        for (Map.Entry<String, Acks> e : expected.entrySet()) {
            FerryProducer producer = producer("acks", e.getKey(), "linger.ms", 0, "request.timeout.ms", 4321);
            RecordMetadata md = get(producer.send(new ProducerRecord("t", 0, null, value(1))));
            if (e.getValue() == Acks.ACKS_NONE) {
                assertEquals(-1, md.offset());
            } else {
                assertTrue(md.offset() >= 0);
            }
            producer.close();
        }
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> cluster.broker(1).produceRequests().size() == 3);
        List<Acks> seen = cluster.broker(1).produceRequests().stream()
                .map(ProduceRequest::getAcks)
                .toList();
        assertEquals(
                List.copyOf(expected.values()).stream().sorted().toList(),
                seen.stream().sorted().toList());
        assertTrue(cluster.broker(1).produceRequests().stream().allMatch(r -> r.getTimeoutMs() == 4321));
        assertEquals(3, cluster.values(new TopicPartition("t", 0)).size());
    }

    @Test
    void leadershipMoveIsRetriedOnTheNewLeaderOnceAndInOrder() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer("linger.ms", 0, "max.in.flight.requests.per.connection", 1);
        for (int i = 0; i < 5; i++) {
            get(producer.send(new ProducerRecord("t", 0, null, value(i))));
        }
        int oldLeaderRequests = cluster.broker(1).produceRequests().size();
        cluster.moveLeader(tp, 2);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 5; i < 15; i++) {
            futures.add(producer.send(new ProducerRecord("t", 0, null, value(i))));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(i + 5, get(futures.get(i)).offset());
        }
        assertTrue(cluster.broker(1).produceRequests().size() > oldLeaderRequests, "the stale leader said NOT_LEADER");
        assertFalse(cluster.broker(2).produceRequests().isEmpty(), "the new leader got the retried records");
        assertEquals(
                IntStream.range(0, 15)
                        .mapToObj(i -> new String(value(i), UTF_8))
                        .toList(),
                cluster.values(tp));
    }

    @Test
    void oneInFlightKeepsOrderWhenTheLeaderMovesMidRequest() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer(
                "linger.ms",
                0,
                "max.in.flight.requests.per.connection",
                1,
                "metadata.max.age.ms",
                50,
                "request.timeout.ms",
                800);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        CompletableFuture<RecordMetadata> first = producer.send(new ProducerRecord("t", 0, null, value(0)));
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> !cluster.broker(1).produceRequests().isEmpty());
        cluster.moveLeader(tp, 2);
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> producer.partitionsFor("t").get(0).leader() == 2);
        CompletableFuture<RecordMetadata> second = producer.send(new ProducerRecord("t", 0, null, value(1)));
        assertEquals(0, get(first).offset());
        assertEquals(1, get(second).offset());
        assertEquals(List.of(new String(value(0), UTF_8), new String(value(1), UTF_8)), cluster.values(tp));
    }

    @Test
    void retriableErrorsAreRetriedAndOthersFailTheRecord() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer("linger.ms", 0);
        producer.partitionsFor("t");
        cluster.broker(1).failNextProduce(ErrorCode.NOT_ENOUGH_REPLICAS, 2);
        assertEquals(
                0,
                get(producer.send(new ProducerRecord("t", 0, null, value(0)))).offset());

        cluster.broker(1).failNextProduce(ErrorCode.CORRUPT_BATCH, 1);
        CompletableFuture<RecordMetadata> failed = producer.send(new ProducerRecord("t", 0, null, value(1)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        FerryException fe = assertInstanceOf(FerryException.class, e.getCause());
        assertEquals(ErrorCode.CORRUPT_BATCH, fe.code());
        assertFalse(fe.retriable());
        assertEquals(1, cluster.values(tp).size());
    }

    @Test
    void retriesAreBoundedByTheRetriesSetting() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0, "retries", 1);
        producer.partitionsFor("t");
        cluster.broker(1).failNextProduce(ErrorCode.NOT_ENOUGH_REPLICAS, 2);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("t", 0, null, value(0)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, ((FerryException) e.getCause()).code());
        assertEquals(2, cluster.broker(1).produceRequests().size());
    }

    @Test
    void brokenStreamIsReopenedAndTheRecordsRetried() throws Exception {
        cluster.createTopic("t", 1);
        TopicPartition tp = new TopicPartition("t", 0);
        FerryProducer producer = producer("linger.ms", 0);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("t", 0, null, value(0)));
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> !cluster.broker(1).produceRequests().isEmpty());
        cluster.broker(1).swallowProduce(false);
        cluster.broker(1).breakProduceStreams();
        assertEquals(0, get(f).offset());
        assertEquals(List.of(new String(value(0), UTF_8)), cluster.values(tp));
    }

    @Test
    void recordsFailAfterDeliveryTimeout() {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0, "request.timeout.ms", 300, "delivery.timeout.ms", 1000);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("t", 0, null, value(0)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        FerryTimeoutException timeout = assertInstanceOf(FerryTimeoutException.class, e.getCause());
        assertTrue(timeout.getMessage().contains("delivery.timeout.ms"), timeout.getMessage());
        assertTrue(cluster.broker(1).produceRequests().size() >= 2, "the timed-out request was retried");
    }

    @Test
    void fullBufferBlocksSendThenFailsWithAClearMessage() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0, "buffer.memory", 2000, "max.block.ms", 200);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        CompletableFuture<RecordMetadata> last = null;
        for (int i = 0; i < 30 && (last == null || !last.isDone()); i++) {
            last = producer.send(new ProducerRecord("t", 0, null, value(i)));
        }
        ExecutionException e = assertThrows(ExecutionException.class, last::get);
        BufferExhaustedException full = assertInstanceOf(BufferExhaustedException.class, e.getCause());
        assertTrue(full.getMessage().contains("buffer.memory"), full.getMessage());
        assertTrue(full.getMessage().contains("max.block.ms"), full.getMessage());
    }

    @Test
    void blockedSendProceedsOnceMemoryIsReleased() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0, "buffer.memory", 1000, "max.block.ms", 15_000);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add(producer.send(new ProducerRecord("t", 0, null, value(i))));
        }
        CompletableFuture<CompletableFuture<RecordMetadata>> blocked =
                CompletableFuture.supplyAsync(() -> producer.send(new ProducerRecord("t", 0, null, value(99))));
        await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS).until(() -> !blocked.isDone());
        cluster.broker(1).swallowProduce(false);
        cluster.broker(1).breakProduceStreams();
        assertTrue(get(blocked.get(20, TimeUnit.SECONDS)).offset() >= 0);
        for (CompletableFuture<RecordMetadata> f : sent) {
            get(f);
        }
    }

    @Test
    void closeSendsWhatIsQueuedAndRefusesNewRecords() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 600_000, "delivery.timeout.ms", 900_000);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<Exception> callbackErrors = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(producer.send(new ProducerRecord("t", 0, null, value(i)), (md, ex) -> {
                if (ex != null) {
                    callbackErrors.add(ex);
                }
            }));
        }
        producer.close();
        for (CompletableFuture<RecordMetadata> f : futures) {
            assertTrue(f.isDone());
            get(f);
        }
        assertTrue(callbackErrors.isEmpty());
        assertThrows(IllegalStateException.class, () -> producer.send(new ProducerRecord("t", 0, null, value(9))));
    }

    @Test
    void closeWithZeroTimeoutFailsWhatIsUnacknowledged() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("t", 0, null, value(0)));
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> !cluster.broker(1).produceRequests().isEmpty());
        producer.close(Duration.ZERO);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertInstanceOf(FerryException.class, e.getCause());
    }

    @Test
    void callbacksAreToldOfSuccess() throws Exception {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("linger.ms", 0);
        CompletableFuture<RecordMetadata> fromCallback = new CompletableFuture<>();
        producer.send(new ProducerRecord("t", 0, null, value(0)), (md, ex) -> fromCallback.complete(md));
        RecordMetadata md = get(fromCallback);
        assertEquals(new RecordMetadata("t", 0, 0, md.timestamp()), md);
    }

    @Test
    void inFlightRequestsPerBrokerAreCapped() {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer(
                "linger.ms",
                0,
                "batch.size",
                0,
                "max.request.size",
                300,
                "max.in.flight.requests.per.connection",
                2,
                // An idempotent producer has one request in flight per partition; this is the connection's cap.
                "enable.idempotence",
                false);
        producer.partitionsFor("t");
        cluster.broker(1).swallowProduce(true);
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord("t", 0, null, value(i)));
        }
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> cluster.broker(1).produceRequests().size() == 2);
        await().during(300, TimeUnit.MILLISECONDS)
                .atMost(5, TimeUnit.SECONDS)
                .until(() -> cluster.broker(1).produceRequests().size() == 2);
    }

    @Test
    void concurrentSendersKeepPerKeyOrder() throws Exception {
        cluster.createTopic("t", 3);
        FerryProducer producer = producer("linger.ms", 1, "batch.size", 2000);
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord(
                            "t", ("key-" + thread).getBytes(UTF_8), (thread + ":" + i).getBytes(UTF_8)));
                }
            }));
        }
        CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        producer.flush();
        Map<String, List<Integer>> perKey = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            for (String v : cluster.values(new TopicPartition("t", p))) {
                String[] parts = v.split(":");
                perKey.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
        }
        assertEquals(4, perKey.size());
        perKey.values()
                .forEach(seq -> assertEquals(IntStream.range(0, 300).boxed().toList(), seq));
    }

    @Test
    void unknownTopicFailsAfterMaxBlock() {
        FerryProducer producer = producer("max.block.ms", 300);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("missing", null, value(0)));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(FerryTimeoutException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("missing"));
    }

    @Test
    void oversizedRecordIsRejected() {
        cluster.createTopic("t", 1);
        FerryProducer producer = producer("max.request.size", 500);
        CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord("t", null, new byte[1000]));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertEquals(ErrorCode.BATCH_TOO_LARGE, ((FerryException) e.getCause()).code());
    }
}
