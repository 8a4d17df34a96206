package io.ferry.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.PoisonBatches.Kind;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import io.ferry.record.RecordBatchBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConsumerTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long BASE_TS = 1_700_000_000_000L;

    private FakeCluster cluster;
    private final List<FerryConsumer> consumers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(2);
        cluster.createTopic("t", 1);
    }

    @AfterEach
    void stop() {
        consumers.forEach(FerryConsumer::close);
        cluster.close();
    }

    private FerryConsumer consumer(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrap());
        props.put("retry.backoff.ms", 20);
        props.put("fetch.max.wait.ms", 100);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(props));
        consumers.add(consumer);
        return consumer;
    }

    /** Appends one batch holding records {@code from} .. {@code from + count - 1}; timestamps BASE_TS + i. */
    private void append(TopicPartition tp, int from, int count, CompressionType compression) throws Exception {
        RecordBatchBuilder builder = RecordBatchBuilder.create(compression);
        for (int i = from; i < from + count; i++) {
            builder.append(
                    BASE_TS + i,
                    ("k" + i).getBytes(UTF_8),
                    ("v" + i).getBytes(UTF_8),
                    List.of(new Header("h", ("x" + i).getBytes(UTF_8))));
        }
        cluster.append(tp, builder.build());
    }

    private static List<String> values(List<ConsumerRecord> records) {
        return records.stream().map(r -> new String(r.value(), UTF_8)).toList();
    }

    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }

    /** Polls until {@code count} records arrived (bounded by 50 polls). */
    private static List<ConsumerRecord> pollFor(FerryConsumer consumer, int count) {
        List<ConsumerRecord> out = new ArrayList<>();
        for (int i = 0; i < 50 && out.size() < count; i++) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    @Test
    void seekInsideABatchSkipsTheRecordsBelowTheOffset() throws Exception {
        append(TP, 0, 10, CompressionType.LZ4);
        append(TP, 10, 10, CompressionType.NONE);
        FerryConsumer consumer = consumer();
        consumer.assign(List.of(TP));
        consumer.seek(TP, 7);
        List<ConsumerRecord> records = pollFor(consumer, 13);
        assertEquals(expected(7, 20), values(records));
        ConsumerRecord first = records.get(0);
        assertEquals(7, first.offset());
        assertEquals(BASE_TS + 7, first.timestamp());
        assertEquals("k7", new String(first.key(), UTF_8));
        assertEquals(List.of(new Header("h", "x7".getBytes(UTF_8))), first.headers());
        assertEquals(20, consumer.position(TP));
    }

    @Test
    void maxPollRecordsBoundsEachPollAndPositionsAdvance() throws Exception {
        append(TP, 0, 25, CompressionType.NONE);
        FerryConsumer consumer = consumer("max.poll.records", 10);
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        ConsumerRecords first = consumer.poll(Duration.ofSeconds(5));
        assertEquals(10, first.count());
        assertEquals(10, consumer.position(TP));
        assertEquals(expected(10, 25), values(pollFor(consumer, 15)));
        assertEquals(25, consumer.position(TP));
    }

    @Test
    void seekToBeginningAndEndUseListOffsets() throws Exception {
        append(TP, 0, 10, CompressionType.NONE);
        append(TP, 10, 10, CompressionType.NONE);
        cluster.truncateBefore(TP, 10);
        FerryConsumer consumer = consumer();
        consumer.assign(List.of(TP));
        consumer.seekToBeginning(List.of(TP));
        assertEquals(10, consumer.position(TP));
        consumer.seekToEnd(List.of(TP));
        assertEquals(20, consumer.position(TP));
        append(TP, 20, 5, CompressionType.NONE);
        assertEquals(expected(20, 25), values(pollFor(consumer, 5)));
        assertEquals(Map.of(TP, 10L), consumer.beginningOffsets(List.of(TP)));
        assertEquals(Map.of(TP, 25L), consumer.endOffsets(List.of(TP)));
    }

    @Test
    void offsetsForTimesFindsTheFirstRecordAtOrAfterTheTimestamp() throws Exception {
        append(TP, 0, 10, CompressionType.NONE);
        FerryConsumer consumer = consumer();
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(TP, BASE_TS + 4));
        assertEquals(new OffsetAndTimestamp(4, BASE_TS + 4), found.get(TP));
        assertNull(consumer.offsetsForTimes(Map.of(TP, BASE_TS + 100)).get(TP));
        consumer.assign(List.of(TP));
        consumer.seek(TP, found.get(TP).offset());
        assertEquals(expected(4, 10), values(pollFor(consumer, 6)));
    }

    @Test
    void freshAssignmentStartsAtTheEndByDefault() throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer();
        consumer.assign(List.of(TP));
        assertEquals(5, consumer.position(TP));
        append(TP, 5, 3, CompressionType.NONE);
        assertEquals(expected(5, 8), values(pollFor(consumer, 3)));
    }

    @Test
    void leaderMoveIsFollowed() throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest");
        consumer.assign(List.of(TP));
        assertEquals(expected(0, 5), values(pollFor(consumer, 5)));
        cluster.moveLeader(TP, 2);
        append(TP, 5, 5, CompressionType.NONE);
        assertEquals(expected(5, 10), values(pollFor(consumer, 5)));
        assertTrue(cluster.broker(2).fetchRequests.size() > 0, "fetched from the new leader");
    }

    @Test
    void fencedLeaderEpochRefreshesMetadata() throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest");
        consumer.assign(List.of(TP));
        assertEquals(expected(0, 5), values(pollFor(consumer, 5)));
        cluster.moveLeader(TP, 1); // same leader, newer epoch: the consumer's epoch is now stale
        append(TP, 5, 5, CompressionType.NONE);
        assertEquals(expected(5, 10), values(pollFor(consumer, 5)));
        FetchRequest last = cluster.broker(1)
                .fetchRequests
                .get(cluster.broker(1).fetchRequests.size() - 1);
        assertEquals(1, last.getTopics(0).getPartitions(0).getCurrentLeaderEpoch());
    }

    @Test
    void outOfRangePositionIsResetByPolicy() throws Exception {
        append(TP, 0, 10, CompressionType.NONE);
        append(TP, 10, 10, CompressionType.NONE);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest");
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        cluster.truncateBefore(TP, 10);
        assertEquals(expected(10, 20), values(pollFor(consumer, 10)));

        FerryConsumer latest = consumer("auto.offset.reset", "latest");
        latest.assign(List.of(TP));
        latest.seek(TP, 500);
        assertTrue(latest.poll(Duration.ofMillis(300)).isEmpty());
        assertEquals(20, latest.position(TP), "reset to the end, not stuck at 500");
        append(TP, 20, 2, CompressionType.NONE);
        assertEquals(expected(20, 22), values(pollFor(latest, 2)));
    }

    @Test
    void outOfRangeWithResetNoneThrows() throws Exception {
        append(TP, 0, 10, CompressionType.NONE);
        FerryConsumer consumer = consumer("auto.offset.reset", "none");
        consumer.assign(List.of(TP));
        OffsetOutOfRangeException noPosition =
                assertThrows(OffsetOutOfRangeException.class, () -> consumer.poll(Duration.ofSeconds(1)));
        assertTrue(noPosition.offsets().containsKey(TP));
        consumer.seek(TP, 50);
        OffsetOutOfRangeException e =
                assertThrows(OffsetOutOfRangeException.class, () -> consumer.poll(Duration.ofSeconds(5)));
        assertEquals(Map.of(TP, 50L), e.offsets());
        assertEquals(io.ferry.proto.v1.ErrorCode.OFFSET_OUT_OF_RANGE, e.code());
    }

    @Test
    void oneFetchPerLeaderCoversItsPartitions() throws Exception {
        cluster.createTopic("multi", 4);
        List<TopicPartition> all = IntStream.range(0, 4)
                .mapToObj(p -> new TopicPartition("multi", p))
                .toList();
        for (TopicPartition tp : all) {
            append(tp, 0, 3, CompressionType.NONE);
        }
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest");
        consumer.assign(all);
        assertEquals(12, pollFor(consumer, 12).size());
        for (int broker = 1; broker <= 2; broker++) {
            FetchRequest first = cluster.broker(broker).fetchRequests.get(0);
            int partitions = first.getTopicsList().stream()
                    .mapToInt(FetchTopic::getPartitionsCount)
                    .sum();
            assertEquals(2, partitions, "broker " + broker + " leads two partitions and gets them in one fetch");
        }
    }

    @Test
    void fetchRequestsCarryTheFetchSettings() throws Exception {
        append(TP, 0, 3, CompressionType.NONE);
        FerryConsumer consumer = consumer(
                "fetch.min.bytes",
                7,
                "fetch.max.wait.ms",
                123,
                "fetch.max.bytes",
                99_999,
                "max.partition.fetch.bytes",
                4_444);
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        assertEquals(3, pollFor(consumer, 3).size());
        FetchRequest request = cluster.broker(1).fetchRequests.get(0);
        assertEquals(7, request.getMinBytes());
        assertTrue(request.getMaxWaitMs() <= 123);
        assertEquals(99_999, request.getMaxBytes());
        assertEquals(4_444, request.getTopics(0).getPartitions(0).getPartitionMaxBytes());
        assertEquals(0, request.getTopics(0).getPartitions(0).getFetchOffset());
    }

    @Test
    void theNextFetchIsOnTheWireBeforeTheNextPoll() throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer();
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        assertEquals(5, pollFor(consumer, 5).size());
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> cluster.broker(1).fetchRequests.stream()
                        .anyMatch(r -> r.getTopics(0).getPartitions(0).getFetchOffset() == 5));
        append(TP, 5, 2, CompressionType.NONE);
        assertEquals(expected(5, 7), values(pollFor(consumer, 2)));
    }

    @Test
    void theNextFetchLeavesWhileEarlierRecordsAreStillBuffered() throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer("max.poll.records", 2);
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        assertEquals(expected(0, 2), values(pollFor(consumer, 2)));
        // Three records are still buffered, yet the fetch from where they end is already out.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> cluster.broker(1).fetchRequests.stream()
                        .anyMatch(r -> r.getTopics(0).getPartitions(0).getFetchOffset() == 5));
        append(TP, 5, 3, CompressionType.NONE);
        assertEquals(expected(2, 8), values(pollFor(consumer, 6)));
        assertEquals(8, consumer.position(TP));
    }

    @Test
    void aSeekDropsTheAnswerOfAFetchAheadAndBuffersNoDuplicates() throws Exception {
        append(TP, 0, 6, CompressionType.NONE);
        FerryConsumer consumer = consumer("max.poll.records", 2);
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        assertEquals(expected(0, 2), values(pollFor(consumer, 2)));
        consumer.seek(TP, 1);
        assertEquals(expected(1, 6), values(pollFor(consumer, 5)));
        assertEquals(6, consumer.position(TP));
    }

    @Test
    void concurrentUseIsRefused() throws Exception {
        FerryConsumer consumer = consumer("fetch.max.wait.ms", 500);
        consumer.assign(List.of(TP));
        consumer.seek(TP, 0);
        java.util.concurrent.CompletableFuture<ConsumerRecords> polling =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> consumer.poll(Duration.ofSeconds(3)));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !cluster.broker(1).fetchRequests.isEmpty());
        assertThrows(java.util.ConcurrentModificationException.class, () -> consumer.position(TP));
        assertTrue(polling.get(10, java.util.concurrent.TimeUnit.SECONDS).isEmpty());
    }

    /** Good records v0..v4, a poison batch p0..p4 at offsets 5..9, good records v10..v14. */
    private void appendAroundPoison(Kind kind) throws Exception {
        append(TP, 0, 5, CompressionType.NONE);
        cluster.appendUnchecked(TP, PoisonBatches.poison(kind, "p", 5, BASE_TS));
        append(TP, 10, 5, CompressionType.NONE);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBatchThatCannotBeDecodedIsReportedWithItsOffsetsAfterTheRecordsBeforeIt(Kind kind) throws Exception {
        appendAroundPoison(kind);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest", "max.poll.records", 3);
        consumer.assign(List.of(TP));
        // One fetch brings all three batches; the records before the bad one still come out, in two polls.
        assertEquals(expected(0, 3), values(consumer.poll(Duration.ofSeconds(5)).records(TP)));
        assertEquals(expected(3, 5), values(consumer.poll(Duration.ofSeconds(5)).records(TP)));

        CorruptRecordBatchException e =
                assertThrows(CorruptRecordBatchException.class, () -> consumer.poll(Duration.ofSeconds(5)));
        assertEquals(TP, e.partition());
        assertEquals(5, e.baseOffset());
        assertEquals(9, e.lastOffset());
        assertEquals(10, e.nextOffset());
        assertEquals(kind.problem, e.problem(), e.getMessage());
        assertEquals(ErrorCode.CORRUPT_BATCH, e.code());
        assertTrue(
                e.getMessage()
                        .startsWith("t-0: the batch at offsets 5..9"
                                + (kind == Kind.CRC_MISMATCH ? " (its end is where the next batch starts)" : "")
                                + " cannot be decoded: " + kind.problem + ": "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; seek to 10 to skip it"), e.getMessage());
        assertEquals(e.getMessage(), e.description() + "; seek to 10 to skip it");
        assertEquals(5, consumer.position(TP), "the position stays at the bad batch");

        // Each poll reports it again: nothing is skipped behind the application's back.
        assertThrows(CorruptRecordBatchException.class, () -> consumer.poll(Duration.ofSeconds(5)));
        consumer.seek(TP, e.nextOffset());
        assertEquals(expected(10, 15), values(pollFor(consumer, 5)));
        assertEquals(15, consumer.position(TP));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void skipCorruptBatchesPassesOverTheBadBatchOnly(Kind kind) throws Exception {
        appendAroundPoison(kind);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest", "skip.corrupt.batches", "true");
        consumer.assign(List.of(TP));
        List<ConsumerRecord> records = pollFor(consumer, 10);
        List<String> wanted = new ArrayList<>(expected(0, 5));
        wanted.addAll(expected(10, 15));
        assertEquals(wanted, values(records));
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L, 10L, 11L, 12L, 13L, 14L),
                records.stream().map(ConsumerRecord::offset).toList());
        assertEquals(15, consumer.position(TP));
    }

    @Test
    void aSeekIntoACorruptBatchReportsTheWholeBatch() throws Exception {
        appendAroundPoison(Kind.NEGATIVE_VALUE_LENGTH);
        FerryConsumer consumer = consumer();
        consumer.assign(List.of(TP));
        consumer.seek(TP, 7);
        CorruptRecordBatchException e =
                assertThrows(CorruptRecordBatchException.class, () -> consumer.poll(Duration.ofSeconds(5)));
        assertEquals(List.of(5L, 9L, 10L), List.of(e.baseOffset(), e.lastOffset(), e.nextOffset()));
        assertEquals(7, consumer.position(TP));
    }

    @Test
    void aCorruptBatchInOnePartitionHoldsBackNoOtherPartition() throws Exception {
        cluster.createTopic("two", 2); // partition 0 led by broker 1, partition 1 by broker 2
        TopicPartition bad = new TopicPartition("two", 0);
        TopicPartition good = new TopicPartition("two", 1);
        cluster.appendUnchecked(bad, PoisonBatches.poison(Kind.COUNT_BELOW_RECORDS, "p", 5, BASE_TS));
        append(good, 0, 5, CompressionType.NONE);
        FerryConsumer consumer = consumer("auto.offset.reset", "earliest");
        consumer.assign(List.of(bad, good));
        List<ConsumerRecord> received = new ArrayList<>();
        List<CorruptRecordBatchException> reported = new ArrayList<>();
        for (int i = 0; i < 50 && (received.size() < 5 || reported.isEmpty()); i++) {
            try {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            } catch (CorruptRecordBatchException e) {
                reported.add(e);
            }
        }
        assertEquals(expected(0, 5), values(received));
        assertTrue(received.stream().allMatch(r -> r.topicPartition().equals(good)));
        assertEquals(bad, reported.get(0).partition());
        assertEquals(
                List.of(0L, 4L, 5L),
                List.of(
                        reported.get(0).baseOffset(),
                        reported.get(0).lastOffset(),
                        reported.get(0).nextOffset()));
        assertEquals(0, consumer.position(bad));
    }

    @Test
    void pollWithoutAssignmentIsAnError() {
        FerryConsumer consumer = consumer();
        assertThrows(IllegalStateException.class, () -> consumer.poll(Duration.ofMillis(10)));
        assertThrows(IllegalStateException.class, () -> consumer.seek(TP, 1));
    }
}
