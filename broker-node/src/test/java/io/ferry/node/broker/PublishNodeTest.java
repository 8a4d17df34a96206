package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static io.ferry.node.broker.PublishTestSupport.assertRefused;
import static io.ferry.node.broker.PublishTestSupport.keyed;
import static io.ferry.node.broker.PublishTestSupport.publish;
import static io.ferry.node.broker.PublishTestSupport.request;
import static io.ferry.node.broker.PublishTestSupport.value;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.PublishResult;
import io.ferry.proto.v1.RecordHeader;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.record.BatchScanner;
import io.ferry.record.CompressionType;
import io.ferry.record.KeyPartitioning;
import io.ferry.record.RecordBatch;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** RecordService Publish and PublishStream on one broker,controller node that leads every partition. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishNodeTest {

    /** Stands for four bytes that are not UTF-8 in a message built before they are put in. */
    private static final String NOT_UTF8_MARK = "@@@@";

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(LoopbackPorts.freePort(), dir.resolve("logs"));
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    @Test
    void recordsPublishedWithEveryAcksSettingReadBackWithTheirOffsets() throws Exception {
        createTopic(channel, "pub-acks", 1, Map.of());
        PublishResponse leader = publish(channel, request("pub-acks", Acks.ACKS_LEADER, value("a0"), value("a1")));
        assertEquals(List.of(0L, 1L), offsets(leader));
        assertEquals(
                List.of(0, 0),
                leader.getResultsList().stream()
                        .map(PublishResult::getPartition)
                        .toList());
        PublishResponse all = publish(
                channel,
                request("pub-acks", Acks.ACKS_ALL, value("b0")).toBuilder()
                        .setRequestId(42)
                        .build());
        assertEquals(42, all.getRequestId());
        assertEquals(List.of(2L), offsets(all));
        assertEquals(List.of(3L), offsets(publish(channel, request("pub-acks", Acks.ACKS_UNSPECIFIED, value("c0")))));
        // acks=NONE: appended, but no offset is promised.
        assertEquals(List.of(-1L), offsets(publish(channel, request("pub-acks", Acks.ACKS_NONE, value("d0")))));
        assertEquals(List.of("0:a0", "1:a1", "2:b0", "3:c0", "4:d0"), readAll(channel, "pub-acks", 0, 0));

        Timer publishes = node.meterRegistry()
                .find("ferry.broker.request")
                .tag("request", "publish")
                .timer();
        assertTrue(publishes != null && publishes.count() >= 4, "publish requests are timed");
        Counter bytesIn = node.meterRegistry()
                .find("ferry.broker.topic.in.bytes")
                .tag("topic", "pub-acks")
                .counter();
        assertTrue(bytesIn != null && bytesIn.count() > 0, "published bytes are counted in");
    }

    @Test
    void aTopicsCompressionTypeIsWhatPublishEncodesAndWhatProducedBatchesAreStoredIn() throws Exception {
        createTopic(channel, "pub-zstd", 1, Map.of("compression.type", "zstd"));
        publish(channel, request("pub-zstd", Acks.ACKS_ALL, value("p0"), value("p1")));
        BrokerTestSupport.produce(
                channel, Acks.ACKS_ALL, "pub-zstd", 0, BrokerTestSupport.batch("b", 3)); // uncompressed
        assertEquals(List.of("0:p0", "1:p1", "2:b0", "3:b1", "4:b2"), readAll(channel, "pub-zstd", 0, 0));
        ByteBuffer stored =
                BrokerTestSupport.fetch(channel, "pub-zstd", 0, 0).getRecords().asReadOnlyByteBuffer();
        BatchScanner batches = BatchScanner.of(stored);
        for (RecordBatch batch = batches.next(); batch != null; batch = batches.next()) {
            assertEquals(CompressionType.ZSTD, batch.compression(), batch.toString());
        }

        CreateTopicResponse refused = BrokerTestSupport.stub(channel)
                .createTopic(CreateTopicRequest.newBuilder()
                        .setName("pub-brotli")
                        .setPartitionCount(1)
                        .setReplicationFactor(1)
                        .putConfigs("compression.type", "brotli")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, refused.getError().getCode());
        assertTrue(refused.getError().getMessage().contains("compression.type"), refused.toString());
    }

    @Test
    void timestampsAreTheRecordsOwnOrTheBrokersClockOrTheLogAppendTime() throws Exception {
        createTopic(channel, "pub-create-time", 1, Map.of());
        long before = System.currentTimeMillis();
        PublishResponse created = publish(
                channel,
                request(
                        "pub-create-time",
                        Acks.ACKS_ALL,
                        value("own").toBuilder().setTimestampMs(1_234).build(),
                        value("clock")));
        assertEquals(1_234, created.getResults(0).getTimestampMs());
        assertTrue(created.getResults(1).getTimestampMs() >= before);

        createTopic(channel, "pub-append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        PublishResponse stamped = publish(
                channel,
                request(
                        "pub-append-time",
                        Acks.ACKS_ALL,
                        value("own").toBuilder().setTimestampMs(1_234).build()));
        assertTrue(stamped.getResults(0).getTimestampMs() >= before, stamped.toString());
    }

    @Test
    void keyedRecordsGoToTheirKeysPartitionAndExplicitPartitionsAreKept() throws Exception {
        createTopic(channel, "pub-keys", 5, Map.of());
        List<PublishRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(keyed("key-" + i, "v" + i));
        }
        records.add(value("explicit").toBuilder().setPartition(3).build());
        PublishResponse response =
                publish(channel, request("pub-keys", Acks.ACKS_ALL, records.toArray(PublishRecord[]::new)));
        for (int i = 0; i < 40; i++) {
            assertEquals(
                    KeyPartitioning.partitionForKey(("key-" + i).getBytes(StandardCharsets.UTF_8), 5),
                    response.getResults(i).getPartition());
        }
        assertEquals(3, response.getResults(40).getPartition());
        // Each partition's records have consecutive offsets in request order.
        for (int partition = 0; partition < 5; partition++) {
            int p = partition;
            List<Long> offsets = response.getResultsList().stream()
                    .filter(r -> r.getPartition() == p)
                    .map(PublishResult::getOffset)
                    .toList();
            assertEquals(firstOffsets(offsets.size()), offsets);
        }
    }

    /** Offsets 0 to n - 1. */
    private static List<Long> firstOffsets(int n) {
        return IntStream.range(0, n).mapToObj(i -> (long) i).toList();
    }

    @Test
    void keylessRecordsOfARequestShareAPartitionAndTheNextRequestMovesOn() throws Exception {
        createTopic(channel, "pub-sticky", 4, Map.of());
        int previous = -1;
        for (int round = 0; round < 5; round++) {
            PublishResponse response =
                    publish(channel, request("pub-sticky", Acks.ACKS_LEADER, value("a"), value("b"), value("c")));
            Set<Integer> partitions = response.getResultsList().stream()
                    .map(PublishResult::getPartition)
                    .collect(Collectors.toSet());
            assertEquals(1, partitions.size(), response.toString());
            int partition = partitions.iterator().next();
            assertNotEquals(previous, partition, "the sticky partition moves after each batch");
            previous = partition;
        }
    }

    @Test
    void recordsBeyondMaxMessageBytesAreSplitIntoBatchesAndARecordTooLargeAloneIsRefused() throws Exception {
        createTopic(channel, "pub-split", 1, Map.of("max.message.bytes", "2000"));
        String filler = "x".repeat(500);
        List<PublishRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(value(i + filler).toBuilder().setPartition(0).build());
        }
        PublishRecord huge =
                value("huge" + "y".repeat(3000)).toBuilder().setPartition(0).build();
        records.add(4, huge);
        PublishResponse response =
                publish(channel, request("pub-split", Acks.ACKS_ALL, records.toArray(PublishRecord[]::new)));
        PublishResult refused = response.getResults(4);
        assertEquals(ErrorCode.BATCH_TOO_LARGE, refused.getError().getCode());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), refused.getError().getGrpcCode());
        assertEquals(-1, refused.getOffset());
        List<Long> appended = new ArrayList<>();
        for (int i = 0; i < response.getResultsCount(); i++) {
            if (i != 4) {
                assertFalse(
                        response.getResults(i).hasError(),
                        response.getResults(i).toString());
                appended.add(response.getResults(i).getOffset());
            }
        }
        assertEquals(firstOffsets(10), appended);
        List<String> read = readAll(channel, "pub-split", 0, 0);
        assertEquals(10, read.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(i + ":" + i + filler, read.get(i));
        }

        assertRefused(
                channel,
                request("pub-split", Acks.ACKS_ALL, huge),
                Status.Code.RESOURCE_EXHAUSTED,
                ErrorCode.BATCH_TOO_LARGE.name());
        assertServes("pub-split");
    }

    @Test
    void badRequestsAreRefusedWithTheirStatusAndFerryErrorAndTheNodeKeepsServing() throws Exception {
        createTopic(channel, "pub-bad", 2, Map.of());
        PublishRecord[] tooMany = new PublishRecord[10_001];
        Arrays.fill(tooMany, value("v"));
        assertRefused(
                channel,
                request("pub-bad", Acks.ACKS_ALL, tooMany),
                Status.Code.RESOURCE_EXHAUSTED,
                ErrorCode.BATCH_TOO_LARGE.name());
        assertServes("pub-bad");
        assertRefused(
                channel,
                request("pub-bad", Acks.ACKS_ALL),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_REQUEST.name());
        assertServes("pub-bad");
        assertRefused(
                channel,
                request("pub-missing", Acks.ACKS_ALL, value("v")),
                Status.Code.NOT_FOUND,
                ErrorCode.UNKNOWN_TOPIC.name());
        assertServes("pub-bad");
        assertRefused(
                channel,
                request(
                        "pub-bad",
                        Acks.ACKS_ALL,
                        value("v").toBuilder().setPartition(2).build()),
                Status.Code.NOT_FOUND,
                ErrorCode.UNKNOWN_PARTITION.name());
        assertServes("pub-bad");
        assertRefused(
                channel,
                request(
                        "pub-bad",
                        Acks.ACKS_ALL,
                        value("v").toBuilder().setPartition(-1).build()),
                Status.Code.NOT_FOUND,
                ErrorCode.UNKNOWN_PARTITION.name());
        assertServes("pub-bad");
        // The largest timeout a client can name is bounded by request.timeout.ms, not refused.
        assertEquals(
                1,
                publish(
                                channel,
                                request("pub-bad", Acks.ACKS_ALL, value("v")).toBuilder()
                                        .setTimeoutMs(Integer.MAX_VALUE)
                                        .build())
                        .getResultsCount());
        assertRefused(
                channel,
                request(
                        "pub-bad",
                        Acks.ACKS_ALL,
                        value("v").toBuilder().setTimestampMs(-5).build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_TIMESTAMP.name());
        assertServes("pub-bad");
        PublishRecord.Builder headers = value("v").toBuilder();
        for (int i = 0; i <= 1_000; i++) {
            headers.addHeaders(RecordHeader.newBuilder().setKey("h" + i));
        }
        assertRefused(
                channel,
                request("pub-bad", Acks.ACKS_ALL, headers.build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_RECORD.name());
        assertRefused(
                channel,
                request("pub-bad", Acks.ACKS_ALL, value("v")).toBuilder()
                        .setAcksValue(9)
                        .build(),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_REQUEST.name());
        assertRefused(
                channel,
                request("pub-bad", Acks.ACKS_ALL, value("v")).toBuilder()
                        .setTimeoutMs(-1)
                        .build(),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_REQUEST.name());
        assertRefused(
                channel,
                request("bad/name", Acks.ACKS_ALL, value("v")),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_TOPIC.name());
        assertRefused(
                channel,
                request("__consumer_offsets", Acks.ACKS_ALL, value("v")),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_TOPIC.name());
        assertServes("pub-bad");
    }

    @Test
    void aHeaderKeyThatIsNotUtf8IsRefusedNamingItAndTheNodeKeepsServing() throws Exception {
        createTopic(channel, "pub-utf8", 1, Map.of());
        byte[] bytes = notUtf8HeaderKey("pub-utf8", 0, Acks.ACKS_ALL);
        MethodDescriptor<byte[], PublishResponse> raw = RecordServiceGrpc.getPublishMethod().toBuilder(
                        new RawBytes(), RecordServiceGrpc.getPublishMethod().getResponseMarshaller())
                .build();
        io.grpc.StatusRuntimeException failed = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(
                        channel, raw, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes));
        assertEquals(Status.Code.INVALID_ARGUMENT, failed.getStatus().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST.name(),
                PublishTestSupport.errorInfo(failed).getReason());
        assertTrue(
                failed.getStatus().getDescription().contains("records[1].headers[1].key is not valid UTF-8"),
                failed.getStatus().getDescription());
        assertServes("pub-utf8");
    }

    @Test
    void aStreamAnswersEveryRequestWithItsIdAndARefusedOneDoesNotEndIt() throws Exception {
        createTopic(channel, "pub-stream", 3, Map.of());
        MethodDescriptor<byte[], PublishResponse> raw = RecordServiceGrpc.getPublishStreamMethod().toBuilder(
                        new RawBytes(),
                        RecordServiceGrpc.getPublishStreamMethod().getResponseMarshaller())
                .build();
        Map<Long, PublishResponse> answers = new ConcurrentHashMap<>();
        CountDownLatch ended = new CountDownLatch(1);
        List<Throwable> failures = new ArrayList<>();
        ClientCall<byte[], PublishResponse> call =
                channel.newCall(raw, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(PublishResponse response) {
                answers.put(response.getRequestId(), response);
            }

            @Override
            public void onError(Throwable t) {
                failures.add(t);
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        });
        int count = 300;
        for (long id = 1; id <= count; id++) {
            byte[] bytes;
            if (id == 100) {
                bytes = request(
                                "pub-stream",
                                Acks.ACKS_ALL,
                                value("v").toBuilder().setPartition(7).build())
                        .toBuilder()
                        .setRequestId(id)
                        .build()
                        .toByteArray();
            } else if (id == 150) {
                bytes = notUtf8HeaderKey("pub-stream", id, Acks.ACKS_ALL);
            } else {
                bytes =
                        request(
                                        "pub-stream",
                                        id == 200 ? Acks.ACKS_NONE : Acks.ACKS_ALL,
                                        value("r" + id),
                                        value("s" + id))
                                .toBuilder()
                                .setRequestId(id)
                                .build()
                                .toByteArray();
            }
            requests.onNext(bytes);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> answers.size() == count - 1);
        requests.onCompleted();
        assertTrue(ended.await(30, TimeUnit.SECONDS));
        assertEquals(List.of(), failures);
        assertFalse(answers.containsKey(200L), "acks=NONE is not answered");
        assertEquals(ErrorCode.UNKNOWN_PARTITION, answers.get(100L).getError().getCode());
        assertEquals(ErrorCode.INVALID_REQUEST, answers.get(150L).getError().getCode());
        long appended = 0;
        for (long id = 1; id <= count; id++) {
            if (id != 100 && id != 150 && id != 200) {
                PublishResponse answer = answers.get(id);
                assertFalse(answer.hasError(), answer.toString());
                assertEquals(2, answer.getResultsCount());
                appended += answer.getResultsCount();
            }
        }
        long read = 0;
        for (int partition = 0; partition < 3; partition++) {
            read += readAll(channel, "pub-stream", partition, 0).size();
        }
        assertEquals(appended + 2, read, "every answered request and the acks=NONE one are in the log");
    }

    /** A good Publish to partition 0 of {@code topic} succeeds. */
    private void assertServes(String topic) {
        PublishResponse response = publish(
                channel,
                request(
                        topic,
                        Acks.ACKS_ALL,
                        value("good").toBuilder().setPartition(0).build()));
        assertFalse(response.getResults(0).hasError(), response.toString());
    }

    /** A request of two records whose second one's second header key is four bytes that are not UTF-8. */
    private static byte[] notUtf8HeaderKey(String topic, long requestId, Acks acks) {
        PublishRecord record = value("v").toBuilder()
                .addHeaders(RecordHeader.newBuilder().setKey("fine"))
                .addHeaders(RecordHeader.newBuilder().setKey(NOT_UTF8_MARK).setValue(ByteString.copyFromUtf8("x")))
                .build();
        byte[] bytes = request(topic, acks, value("first"), record).toBuilder()
                .setRequestId(requestId)
                .build()
                .toByteArray();
        byte[] mark = NOT_UTF8_MARK.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + mark.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + mark.length, mark, 0, mark.length)) {
                bytes[i] = (byte) 0xC3;
                bytes[i + 1] = (byte) 0x28;
                bytes[i + 2] = (byte) 0xA0;
                bytes[i + 3] = (byte) 0xFF;
                return bytes;
            }
        }
        throw new AssertionError("the mark is in the message");
    }

    private static List<Long> offsets(PublishResponse response) {
        return response.getResultsList().stream().map(PublishResult::getOffset).toList();
    }

    /** Messages as the bytes given, so that a test can send what no generated builder would. */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
