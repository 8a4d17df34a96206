package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.fetch;
import static io.ferry.node.broker.BrokerTestSupport.fetchRequest;
import static io.ferry.node.broker.BrokerTestSupport.listOffset;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static io.ferry.node.broker.BrokerTestSupport.produceRequest;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsPartitionResult;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsResponse;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicMetadata;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.record.RecordBatch;
import io.ferry.record.testing.Batches;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every BrokerService RPC and error on one process.roles=broker,controller node, through real stubs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleNodeBrokerTest {

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
    void producedRecordsWithEveryAcksSettingFetchBackInOrder() throws Exception {
        createTopic(channel, "acks", 1, Map.of());
        PartitionProduceResult leader = produce(channel, Acks.ACKS_LEADER, "acks", 0, batch("a", 3));
        assertEquals(
                ErrorCode.NONE, leader.getError().getCode(), leader.getError().getMessage());
        assertEquals(0, leader.getBaseOffset());
        PartitionProduceResult all = produce(channel, Acks.ACKS_ALL, "acks", 0, batch("b", 2));
        assertEquals(3, all.getBaseOffset());
        PartitionProduceResult unspecified = produce(channel, Acks.ACKS_UNSPECIFIED, "acks", 0, batch("c", 1));
        assertEquals(5, unspecified.getBaseOffset());
        // acks=NONE on the unary call still completes the call (with an answer the client may ignore).
        produce(channel, Acks.ACKS_NONE, "acks", 0, batch("d", 1));
        assertEquals(List.of("0:a0", "1:a1", "2:a2", "3:b0", "4:b1", "5:c0", "6:d0"), readAll(channel, "acks", 0, 0));
        assertEquals(
                List.of("4:b1", "5:c0", "6:d0"),
                readAll(channel, "acks", 0, 4),
                "records below the fetch offset are skipped");
        FetchPartitionResult fetched = fetch(channel, "acks", 0, 0);
        assertEquals(7, fetched.getHighWatermark());
        assertEquals(0, fetched.getLogStartOffset());
    }

    @Test
    void requestBytesThatDoNotParseAreRefusedNamingTheMethodAndTheNodeKeepsServing() throws Exception {
        createTopic(channel, "unparsable", 1, Map.of());
        assertEquals(
                0,
                produce(channel, Acks.ACKS_ALL, "unparsable", 0, batch("before", 1))
                        .getBaseOffset());
        // Field 4 (topics), length-delimited, claiming 100 bytes of which 2 follow.
        byte[] truncated = {0x22, 100, 0x0a, 0x01};
        for (String method : List.of("Produce", "Fetch", "Metadata")) {
            StatusRuntimeException refused = assertThrows(
                    StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(
                            channel,
                            rawMethod(method, MethodDescriptor.MethodType.UNARY),
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                            truncated));
            assertEquals(
                    Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), method + ": " + refused.getStatus());
            assertTrue(
                    refused.getStatus()
                            .getDescription()
                            .startsWith("ferry.v1.BrokerService/" + method + ": the request does not parse: "),
                    refused.getStatus().getDescription());
            assertTrue(
                    refused.getStatus().getDescription().contains("input ended unexpectedly"),
                    refused.getStatus().getDescription());
        }
        // On a produce stream the first request that does not parse ends the stream.
        CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(
                        rawMethod("ProduceStream", MethodDescriptor.MethodType.BIDI_STREAMING),
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {}

                    @Override
                    public void onError(Throwable t) {
                        streamEnd.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        streamEnd.complete(null);
                    }
                });
        requests.onNext(truncated);
        Throwable ended = streamEnd.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(ended).getCode(), String.valueOf(ended));
        requests.onCompleted();

        assertEquals(
                1,
                produce(channel, Acks.ACKS_ALL, "unparsable", 0, batch("after", 1))
                        .getBaseOffset());
        assertEquals(List.of("0:before0", "1:after0"), readAll(channel, "unparsable", 0, 0));
    }

    private static MethodDescriptor<byte[], byte[]> rawMethod(String name, MethodDescriptor.MethodType type) {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
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
        };
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("ferry.v1.BrokerService", name))
                .setRequestMarshaller(bytes)
                .setResponseMarshaller(bytes)
                .build();
    }

    @Test
    void aLongPollFetchIsAnsweredByTheAppendAndOtherwiseAtMaxWait() throws Exception {
        createTopic(channel, "poll", 1, Map.of());
        CompletableFuture<FetchResponse> waiting = new CompletableFuture<>();
        BrokerServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .fetch(fetchRequest("poll", 0, 0, 20_000, 1), observer(waiting));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
        produce(channel, Acks.ACKS_LEADER, "poll", 0, batch("x", 1));
        FetchPartitionResult woken =
                waiting.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
        assertFalse(woken.getRecords().isEmpty(), "the append completed the long poll");

        // min_bytes larger than what there is: answered at max_wait with what there is.
        FetchResponse atMaxWait = stub(channel).fetch(fetchRequest("poll", 0, 0, 200, 1_000_000));
        assertFalse(atMaxWait.getTopics(0).getPartitions(0).getRecords().isEmpty());
        // Nothing new and min_bytes 1: answered empty after max_wait.
        FetchResponse empty = stub(channel).fetch(fetchRequest("poll", 0, 1, 100, 1));
        assertEquals(
                ErrorCode.NONE, empty.getTopics(0).getPartitions(0).getError().getCode());
        assertTrue(empty.getTopics(0).getPartitions(0).getRecords().isEmpty());
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        };
    }

    @Test
    void listOffsetsAnswersEarliestLatestAndByTimestamp() {
        createTopic(channel, "offsets", 1, Map.of());
        ByteBuffer first = batch("t", 2); // timestamps 1000, 1001
        produce(channel, Acks.ACKS_ALL, "offsets", 0, first);
        io.ferry.record.RecordBatchBuilder later =
                io.ferry.record.RecordBatchBuilder.create(io.ferry.record.CompressionType.NONE);
        later.append(5_000, null, new byte[] {1});
        produce(channel, Acks.ACKS_ALL, "offsets", 0, later.build());
        assertEquals(0, listOffset(channel, "offsets", 0, -2).getOffset());
        assertEquals(3, listOffset(channel, "offsets", 0, -1).getOffset());
        assertEquals(2, listOffset(channel, "offsets", 0, 4_000).getOffset());
        assertEquals(0, listOffset(channel, "offsets", 0, 500).getOffset());
        assertEquals(-1, listOffset(channel, "offsets", 0, 9_000).getOffset());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                listOffset(channel, "nope", 0, -1).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION,
                listOffset(channel, "offsets", 3, -1).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                listOffset(channel, "offsets", 0, -7).getError().getCode());
    }

    @Test
    void metadataNamesTheBrokerAndEachPartitionLeader() {
        createTopic(channel, "meta", 2, Map.of());
        MetadataResponse all = stub(channel).metadata(MetadataRequest.getDefaultInstance());
        assertEquals(1, all.getBrokers(0).getBrokerId());
        assertEquals(
                node.grpcAddress().getPort(), all.getBrokers(0).getEndpoints(0).getPort());
        assertTrue(all.getMetadataVersion() > 0);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stub(channel)
                                .metadata(MetadataRequest.getDefaultInstance())
                                .getControllerId()
                        == 1);
        MetadataResponse one = stub(channel)
                .metadata(MetadataRequest.newBuilder()
                        .addTopics("meta")
                        .addTopics("missing")
                        .addTopics("bad/name")
                        .build());
        assertEquals(2, one.getTopics(0).getPartitionsCount());
        assertEquals(1, one.getTopics(0).getPartitions(0).getLeader());
        assertEquals(ErrorCode.UNKNOWN_TOPIC, one.getTopics(1).getError().getCode());
        assertEquals(ErrorCode.INVALID_TOPIC, one.getTopics(2).getError().getCode());
        MetadataResponse none = stub(channel)
                .metadata(MetadataRequest.newBuilder().setNoTopics(true).build());
        assertEquals(0, none.getTopicsCount(), "no_topics: brokers only");
        assertEquals(1, none.getBrokersCount());
        assertEquals(22, none.getClusterId().length(), none.getClusterId());
        // Topics named win over no_topics: they are answered.
        assertEquals(
                List.of("meta"),
                stub(channel)
                        .metadata(MetadataRequest.newBuilder()
                                .setNoTopics(true)
                                .addTopics("meta")
                                .build())
                        .getTopicsList()
                        .stream()
                        .map(TopicMetadata::getName)
                        .toList());
    }

    @Test
    void adminCallsGoThroughTheBrokerToTheController() throws Exception {
        createTopic(channel, "admin", 1, Map.of());
        assertEquals(
                ErrorCode.TOPIC_ALREADY_EXISTS,
                stub(channel)
                        .createTopic(io.ferry.proto.v1.CreateTopicRequest.newBuilder()
                                .setName("admin")
                                .setPartitionCount(1)
                                .setReplicationFactor(1)
                                .build())
                        .getError()
                        .getCode());
        var described = stub(channel)
                .describeTopics(
                        DescribeTopicsRequest.newBuilder().addNames("admin").build());
        assertEquals(1, described.getTopics(0).getPartitionsCount());
        assertEquals(
                1,
                stub(channel)
                        .describeCluster(DescribeClusterRequest.getDefaultInstance())
                        .getBrokersCount());
        produce(channel, Acks.ACKS_ALL, "admin", 0, batch("z", 1));
        assertEquals(
                ErrorCode.NONE,
                stub(channel)
                        .deleteTopic(
                                DeleteTopicRequest.newBuilder().setName("admin").build())
                        .getError()
                        .getCode());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> produce(channel, Acks.ACKS_ALL, "admin", 0, batch("z", 1))
                                .getError()
                                .getCode()
                        == ErrorCode.UNKNOWN_TOPIC);
        await().atMost(Duration.ofSeconds(10)).until(() -> !java.nio.file.Files.exists(dir.resolve("logs/admin-0")));
    }

    @Test
    void anAdminCallRetriedWithItsIdempotencyKeyIsAnsweredAsItsCommittedAttempt() {
        io.ferry.proto.v1.CreateTopicRequest create = io.ferry.proto.v1.CreateTopicRequest.newBuilder()
                .setName("keyed")
                .setPartitionCount(1)
                .setReplicationFactor(1)
                .setIdempotencyKey("k-keyed")
                .build();
        var first = stub(channel).createTopic(create);
        assertEquals(
                ErrorCode.NONE, first.getError().getCode(), first.getError().getMessage());
        assertEquals(first, stub(channel).createTopic(create));
        assertEquals(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                stub(channel)
                        .createTopic(create.toBuilder().setName("other").build())
                        .getError()
                        .getCode());
        DeleteTopicRequest delete = DeleteTopicRequest.newBuilder()
                .setName("keyed")
                .setIdempotencyKey("k-delete")
                .build();
        assertEquals(
                ErrorCode.NONE, stub(channel).deleteTopic(delete).getError().getCode());
        assertEquals(
                ErrorCode.NONE, stub(channel).deleteTopic(delete).getError().getCode());
    }

    @Test
    void hostileRequestsGetTypedErrorsAndDamageNothing() throws Exception {
        createTopic(channel, "safe", 1, Map.of());
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            PartitionProduceResult r = produce(channel, Acks.ACKS_ALL, "safe", 0, batch("ok" + i + "-", 2));
            assertEquals(ErrorCode.NONE, r.getError().getCode());
            acked.add(r.getBaseOffset() + ":ok" + i + "-0");
            acked.add((r.getBaseOffset() + 1) + ":ok" + i + "-1");
        }

        ByteBuffer corrupt = batch("c", 2);
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 0x5a));
        PartitionProduceResult corrupted = produce(channel, Acks.ACKS_ALL, "safe", 0, corrupt);
        assertEquals(ErrorCode.CORRUPT_BATCH, corrupted.getError().getCode());
        assertTrue(
                corrupted.getError().getMessage().contains("batch 0"),
                corrupted.getError().getMessage());

        ByteBuffer good = batch("g", 1);
        ByteBuffer truncated = batch("t", 3);
        ByteBuffer goodThenTruncated = ByteBuffer.allocate(good.remaining() + truncated.remaining() - 5)
                .put(good)
                .put(truncated.limit(truncated.limit() - 5))
                .flip();
        PartitionProduceResult cut = produce(channel, Acks.ACKS_ALL, "safe", 0, goodThenTruncated);
        assertEquals(ErrorCode.CORRUPT_BATCH, cut.getError().getCode());
        assertTrue(
                cut.getError().getMessage().contains("batch 1"), cut.getError().getMessage());

        PartitionProduceResult garbage =
                produce(channel, Acks.ACKS_ALL, "safe", 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertEquals(ErrorCode.CORRUPT_BATCH, garbage.getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                produce(channel, Acks.ACKS_ALL, "safe", 0, ByteBuffer.allocate(0))
                        .getError()
                        .getCode());

        io.ferry.record.RecordBatchBuilder big =
                io.ferry.record.RecordBatchBuilder.create(io.ferry.record.CompressionType.NONE);
        big.append(1, null, new byte[BrokerTestSupport.MESSAGE_MAX_BYTES + 1]);
        PartitionProduceResult tooLarge = produce(channel, Acks.ACKS_ALL, "safe", 0, big.build());
        assertEquals(ErrorCode.BATCH_TOO_LARGE, tooLarge.getError().getCode());
        assertTrue(
                tooLarge.getError().getMessage().contains("max.message.bytes"),
                tooLarge.getError().getMessage());

        // Beyond the gRPC request limit: refused by the transport before the broker buffers it.
        StatusRuntimeException huge = assertThrows(
                StatusRuntimeException.class,
                () -> produce(
                        channel,
                        Acks.ACKS_ALL,
                        "safe",
                        0,
                        ByteBuffer.allocate(4 * BrokerTestSupport.MESSAGE_MAX_BYTES + (2 << 20))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode());

        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(channel, "safe", 0, -1).getError().getCode());
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(channel, "safe", 0, 1_000).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                fetch(channel, "unknown", 0, 0).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION,
                fetch(channel, "safe", 7, 0).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION,
                fetch(channel, "safe", -1, 0).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_TOPIC,
                fetch(channel, "../etc", 0, 0).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                produce(channel, Acks.ACKS_ALL, "unknown", 0, batch("u", 1))
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.INVALID_TOPIC,
                produce(channel, Acks.ACKS_ALL, "a/b", 0, batch("u", 1))
                        .getError()
                        .getCode());
        FetchResponse fenced = stub(channel)
                .fetch(fetchRequest("safe", 0, 0, 0, 0).toBuilder()
                        .setTopics(
                                0,
                                fetchRequest("safe", 0, 0, 0, 0).getTopics(0).toBuilder()
                                        .setPartitions(
                                                0,
                                                fetchRequest("safe", 0, 0, 0, 0)
                                                        .getTopics(0)
                                                        .getPartitions(0)
                                                        .toBuilder()
                                                        .setCurrentLeaderEpoch(99)))
                        .build());
        FetchPartitionResult unknownEpoch = fenced.getTopics(0).getPartitions(0);
        assertEquals(ErrorCode.UNKNOWN_LEADER_EPOCH, unknownEpoch.getError().getCode());
        assertEquals(1, unknownEpoch.getLeader().getLeaderId(), "the error carries the leader hint");

        // A partition named twice: the first is appended, the second refused.
        ProduceRequest twice = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_LEADER)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("safe")
                        .addPartitions(PartitionProduceData.newBuilder()
                                .setPartition(0)
                                .setRecords(ByteString.copyFrom(batch("dup", 1))))
                        .addPartitions(PartitionProduceData.newBuilder()
                                .setPartition(0)
                                .setRecords(ByteString.copyFrom(batch("dup", 1)))))
                .build();
        ProduceResponse dup = stub(channel).produce(twice);
        assertEquals(
                ErrorCode.NONE, dup.getTopics(0).getPartitions(0).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                dup.getTopics(0).getPartitions(1).getError().getCode());
        acked.add(dup.getTopics(0).getPartitions(0).getBaseOffset() + ":dup0");

        assertTrue(node.isHealthy());
        assertEquals(acked, readAll(channel, "safe", 0, 0), "every acknowledged record reads back unchanged");
    }

    @Test
    void recordsThatConsumersCouldNotReadAreRefusedWhateverTheirCrc() throws Exception {
        createTopic(channel, "records", 1, Map.of());
        PartitionProduceResult first = produce(channel, Acks.ACKS_ALL, "records", 0, batch("ok", 2));
        assertEquals(ErrorCode.NONE, first.getError().getCode());
        // A batch that claims more records than it holds, resealed so its CRC is right.
        ByteBuffer lying = Batches.copy(batch("lie", 2));
        lying.putInt(RecordBatch.RECORD_COUNT_OFFSET, 3).putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 2);
        PartitionProduceResult refused = produce(channel, Acks.ACKS_ALL, "records", 0, Batches.reseal(lying));
        assertEquals(ErrorCode.INVALID_RECORD, refused.getError().getCode());
        assertTrue(
                refused.getError().getMessage().contains("declares 3 records"),
                refused.getError().getMessage());
        assertEquals(List.of("0:ok0", "1:ok1"), readAll(channel, "records", 0, 0), "nothing of it was stored");

        createTopic(channel, "append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        PartitionProduceResult stamped = produce(channel, Acks.ACKS_ALL, "append-time", 0, batch("t", 1));
        assertEquals(
                ErrorCode.NONE, stamped.getError().getCode(), stamped.getError().getMessage());
        assertTrue(
                stamped.getLogAppendTimeMs() >= before,
                "the leader's stamp is returned: " + stamped.getLogAppendTimeMs());
        assertEquals(-1, first.getLogAppendTimeMs(), "CreateTime topics return no append time");
    }

    /** Produce requests as raw bytes on the wire: what the off-heap marshaller must refuse, and what it must not. */
    @Test
    void produceBytesOnTheWireAreParsedAsTheProtobufSchemaSays() throws Exception {
        createTopic(channel, "wire", 1, Map.of());
        io.grpc.MethodDescriptor<byte[], ProduceResponse> raw = BrokerServiceGrpc.getProduceMethod().toBuilder(
                        new io.grpc.MethodDescriptor.Marshaller<byte[]>() {
                            @Override
                            public java.io.InputStream stream(byte[] value) {
                                return new java.io.ByteArrayInputStream(value);
                            }

                            @Override
                            public byte[] parse(java.io.InputStream stream) {
                                throw new UnsupportedOperationException("requests only");
                            }
                        },
                        BrokerServiceGrpc.getProduceMethod().getResponseMarshaller())
                .build();
        byte[] request =
                produceRequest(1, Acks.ACKS_ALL, "wire", 0, batch("w", 2)).toByteArray();

        // A newer client's extra field (number 99) is ignored, as the generated parser ignores it.
        byte[] withUnknownField = java.util.Arrays.copyOf(request, request.length + 3);
        withUnknownField[request.length] = (byte) (99 << 3 & 0x7f | 0x80);
        withUnknownField[request.length + 1] = (byte) (99 >> 4);
        withUnknownField[request.length + 2] = 7;
        ProduceResponse accepted =
                io.grpc.stub.ClientCalls.blockingUnaryCall(channel, raw, io.grpc.CallOptions.DEFAULT, withUnknownField);
        assertEquals(
                ErrorCode.NONE,
                accepted.getTopics(0).getPartitions(0).getError().getCode());

        // Truncated bytes fail the call exactly as they fail a method parsed by the generated marshaller.
        byte[] truncated = java.util.Arrays.copyOf(request, request.length - 20);
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class,
                () -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, raw, io.grpc.CallOptions.DEFAULT, truncated));
        byte[] fetch = fetchRequest("wire", 0, 0, 0, 0).toByteArray();
        StatusRuntimeException generated = assertThrows(
                StatusRuntimeException.class,
                () -> io.grpc.stub.ClientCalls.blockingUnaryCall(
                        channel,
                        BrokerServiceGrpc.getFetchMethod().toBuilder(
                                        raw.getRequestMarshaller(),
                                        BrokerServiceGrpc.getFetchMethod().getResponseMarshaller())
                                .build(),
                        io.grpc.CallOptions.DEFAULT,
                        java.util.Arrays.copyOf(fetch, fetch.length - 3)));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals(generated.getStatus().getCode(), refused.getStatus().getCode());
        assertEquals(
                generated.getStatus().getDescription().replace("/Fetch:", "/Produce:"),
                refused.getStatus().getDescription());

        assertEquals(List.of("0:w0", "1:w1"), readAll(channel, "wire", 0, 0), "only the whole request was appended");
    }

    @Test
    void topicConfigOverridesThatCannotBeAppliedAreRefusedAtCreation() throws Exception {
        Map<Map<String, String>, String> refusals = Map.of(
                Map.of("retention.ms", "a week"), "retention.ms: expected a whole number of milliseconds, got 'a week'",
                Map.of("segment.bytes", "10"), "segment.bytes: expected a value in [61, 2147483647], got 10",
                Map.of("compression.type", "brotli"), "compression.type: expected one of producer, uncompressed",
                Map.of("preallocate", "true"), "unknown topic config 'preallocate'",
                Map.of("min.insync.replicas", "0"), "min.insync.replicas: expected a value in [1, 2147483647], got 0");
        for (Map.Entry<Map<String, String>, String> refusal : refusals.entrySet()) {
            var response = stub(channel)
                    .createTopic(io.ferry.proto.v1.CreateTopicRequest.newBuilder()
                            .setName("misconfigured")
                            .setPartitionCount(1)
                            .setReplicationFactor(1)
                            .putAllConfigs(refusal.getKey())
                            .build());
            assertEquals(
                    ErrorCode.INVALID_CONFIG,
                    response.getError().getCode(),
                    refusal.getKey().toString());
            assertTrue(
                    response.getError().getMessage().startsWith(refusal.getValue()),
                    response.getError().getMessage());
        }
        var described = stub(channel)
                .describeTopics(DescribeTopicsRequest.newBuilder()
                        .addNames("misconfigured")
                        .build());
        assertEquals(ErrorCode.UNKNOWN_TOPIC, described.getTopics(0).getError().getCode());

        createTopic(channel, "configured", 1, Map.of("retention.ms", " 60000 ", "max.message.bytes", "200"));
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "configured", 0, batch("c", 1))
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.BATCH_TOO_LARGE,
                produce(channel, Acks.ACKS_ALL, "configured", 0, batch("c", 40))
                        .getError()
                        .getCode());
    }

    @Test
    void alteredTopicConfigsReachTheLogAndUnappliableOnesAreRefused() throws Exception {
        createTopic(channel, "altered", 1, Map.of("max.message.bytes", "200", "retention.ms", "60000"));
        assertEquals(
                ErrorCode.BATCH_TOO_LARGE,
                produce(channel, Acks.ACKS_ALL, "altered", 0, batch("a", 40))
                        .getError()
                        .getCode());

        AlterTopicConfigsResponse bad = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("altered")
                        .putSet("segment.bytes", "10")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, bad.getError().getCode());
        assertTrue(
                bad.getError().getMessage().startsWith("segment.bytes: expected a value in [61, 2147483647], got 10"),
                bad.getError().getMessage());
        AlterTopicConfigsResponse unknownKey = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("altered")
                        .addDelete("preallocate")
                        .build());
        assertTrue(
                unknownKey.getError().getMessage().startsWith("unknown topic config 'preallocate'"),
                unknownKey.getError().getMessage());
        AlterTopicConfigsResponse both = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("altered")
                        .putSet("retention.ms", "1")
                        .addDelete("retention.ms")
                        .build());
        assertEquals(
                ErrorCode.INVALID_CONFIG,
                both.getError().getCode(),
                both.getError().getMessage());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                stub(channel)
                        .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                                .setName("never-created")
                                .putSet("retention.ms", "1")
                                .build())
                        .getError()
                        .getCode());

        AlterTopicConfigsResponse altered = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("altered")
                        .putSet("segment.ms", "3600000")
                        .addDelete("max.message.bytes")
                        .build());
        assertEquals(
                ErrorCode.NONE, altered.getError().getCode(), altered.getError().getMessage());
        assertEquals(Map.of("retention.ms", "60000", "segment.ms", "3600000"), altered.getConfigsMap());
        // The broker applies the change with its next metadata view; then the broker default limit holds.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> produce(channel, Acks.ACKS_ALL, "altered", 0, batch("a", 40))
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        assertEquals(
                Map.of("retention.ms", "60000", "segment.ms", "3600000"),
                stub(channel)
                        .describeTopics(DescribeTopicsRequest.newBuilder()
                                .addNames("altered")
                                .build())
                        .getTopics(0)
                        .getTopic()
                        .getConfigsMap());
    }

    @Test
    void partitionsAddedToATopicTakeRecordsAndTheOldOnesKeepTheirs() throws Exception {
        createTopic(channel, "grown", 1, Map.of());
        assertEquals(
                0, produce(channel, Acks.ACKS_ALL, "grown", 0, batch("old", 2)).getBaseOffset());
        CreatePartitionsResponse added = stub(channel)
                .createPartitions(CreatePartitionsRequest.newBuilder()
                        .setName("grown")
                        .setCount(3)
                        .build());
        assertEquals(
                ErrorCode.NONE, added.getError().getCode(), added.getError().getMessage());
        assertEquals(
                List.of(1, 2),
                added.getPartitionsList().stream().map(p -> p.getPartition()).toList());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> produce(channel, Acks.ACKS_ALL, "grown", 2, batch("new", 1))
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        assertEquals(List.of("0:new0"), readAll(channel, "grown", 2, 0));
        assertEquals(List.of("0:old0", "1:old1"), readAll(channel, "grown", 0, 0));
        MetadataResponse metadata = stub(channel)
                .metadata(MetadataRequest.newBuilder().addTopics("grown").build());
        assertEquals(3, metadata.getTopics(0).getPartitionsCount());

        CreatePartitionsResponse fewer = stub(channel)
                .createPartitions(CreatePartitionsRequest.newBuilder()
                        .setName("grown")
                        .setCount(2)
                        .build());
        assertEquals(ErrorCode.INVALID_PARTITIONS, fewer.getError().getCode());
        assertTrue(
                fewer.getError().getMessage().contains("has 3 partition(s)"),
                fewer.getError().getMessage());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                stub(channel)
                        .createPartitions(CreatePartitionsRequest.newBuilder()
                                .setName("never-created")
                                .setCount(2)
                                .build())
                        .getError()
                        .getCode());
    }

    @Test
    void deleteRecordsMovesTheLogStartAndReadsBelowItAreRefused() throws Exception {
        createTopic(channel, "purged", 1, Map.of());
        for (int i = 0; i < 10; i++) {
            produce(channel, Acks.ACKS_ALL, "purged", 0, batch("p" + i + "-", 1));
        }
        assertEquals(4, deleteBefore("purged", 0, 4).getLowWatermark());
        assertEquals(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                fetch(channel, "purged", 0, 3).getError().getCode());
        assertEquals(4, listOffset(channel, "purged", 0, -2).getOffset(), "earliest is the new log start");
        assertEquals(
                List.of("4:p4-0", "5:p5-0"), readAll(channel, "purged", 0, 4).subList(0, 2));

        DeleteRecordsPartitionResult beyond = deleteBefore("purged", 0, 11);
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, beyond.getError().getCode());
        assertTrue(
                beyond.getError().getMessage().contains("high watermark 10"),
                beyond.getError().getMessage());
        assertEquals(4, deleteBefore("purged", 0, 2).getLowWatermark(), "the log start never moves back");
        assertEquals(10, deleteBefore("purged", 0, -1).getLowWatermark(), "-1: every committed record");
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                deleteBefore("never-created", 0, 1).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_PARTITION,
                deleteBefore("purged", 5, 1).getError().getCode());
        assertEquals(
                10,
                produce(channel, Acks.ACKS_ALL, "purged", 0, batch("after", 1)).getBaseOffset());
        assertEquals(List.of("10:after0"), readAll(channel, "purged", 0, 10));
    }

    private DeleteRecordsPartitionResult deleteBefore(String topic, int partition, long offset) {
        DeleteRecordsResponse response = stub(channel)
                .deleteRecords(DeleteRecordsRequest.newBuilder()
                        .addTopics(DeleteRecordsTopic.newBuilder()
                                .setTopic(topic)
                                .addPartitions(DeleteRecordsPartition.newBuilder()
                                        .setPartition(partition)
                                        .setOffset(offset)))
                        .build());
        return response.getTopics(0).getPartitions(0);
    }

    /** An ISR below min.insync.replicas (NOT_ENOUGH_REPLICAS) needs more brokers: ReplicatedClusterTest. */
    @Test
    void aMinInsyncReplicasTheTopicCanNeverReachIsRefusedOnCreateAndOnAlter() throws Exception {
        var created = stub(channel)
                .createTopic(io.ferry.proto.v1.CreateTopicRequest.newBuilder()
                        .setName("strict")
                        .setPartitionCount(1)
                        .setReplicationFactor(1)
                        .putConfigs("min.insync.replicas", "2")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, created.getError().getCode());
        assertEquals(
                "min.insync.replicas 2 is above the replication factor 1, so no acks=all produce could ever "
                        + "succeed; set min.insync.replicas to at most 1",
                created.getError().getMessage());

        createTopic(channel, "strict", 1, Map.of());
        var altered = stub(channel)
                .alterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                        .setName("strict")
                        .putSet("min.insync.replicas", "2")
                        .build());
        assertEquals(ErrorCode.INVALID_CONFIG, altered.getError().getCode());
        assertEquals(
                ErrorCode.NONE,
                produce(channel, Acks.ACKS_ALL, "strict", 0, batch("s", 1))
                        .getError()
                        .getCode());
        assertEquals(List.of("0:s0"), readAll(channel, "strict", 0, 0));
    }

    @Test
    void aStreamCarriesManyPipelinedRequestsAndAnswersEachOnceButNotAcksNone() throws Exception {
        createTopic(channel, "stream", 2, Map.of());
        int requests = 400;
        Map<Long, ProduceResponse> responses = new ConcurrentHashMap<>();
        CountDownLatch completed = new CountDownLatch(1);
        List<Throwable> errors = new ArrayList<>();
        StreamObserver<ProduceRequest> stream = BrokerServiceGrpc.newStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .produceStream(new StreamObserver<>() {
                    @Override
                    public void onNext(ProduceResponse value) {
                        assertNull(responses.put(value.getCorrelationId(), value), "answered twice");
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.add(t);
                        completed.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        completed.countDown();
                    }
                });
        for (long id = 0; id < requests; id++) {
            Acks acks = id % 10 == 9 ? Acks.ACKS_NONE : id % 2 == 0 ? Acks.ACKS_ALL : Acks.ACKS_LEADER;
            stream.onNext(produceRequest(id, acks, "stream", (int) (id % 2), batch("s" + id + "-", 2)));
        }
        stream.onCompleted();
        assertTrue(completed.await(60, TimeUnit.SECONDS));
        assertEquals(List.of(), errors);
        assertEquals(requests - requests / 10, responses.size());
        Set<String> offsets = new HashSet<>();
        responses.values().forEach(r -> {
            PartitionProduceResult p = r.getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NONE, p.getError().getCode(), p.getError().getMessage());
            assertTrue(offsets.add(p.getPartition() + "@" + p.getBaseOffset()), "offsets are unique");
        });
        assertEquals(
                2 * requests,
                readAll(channel, "stream", 0, 0).size()
                        + readAll(channel, "stream", 1, 0).size());
    }

    @Test
    void metricsDescribeTheBrokerAndItsPartitions() throws Exception {
        createTopic(channel, "metered", 1, Map.of());
        produce(channel, Acks.ACKS_ALL, "metered", 0, batch("m", 4));
        readAll(channel, "metered", 0, 0);
        String body = io.ferry.node.NodeHttpAccess.metrics(node);
        for (String expected : List.of(
                "ferry_broker_request_seconds_bucket{request=\"produce\"",
                "ferry_broker_request_seconds_count{request=\"fetch\"}",
                "ferry_broker_topic_in_bytes_total{topic=\"metered\"}",
                "ferry_broker_topic_out_bytes_total{topic=\"metered\"}",
                "ferry_broker_produce_acks_all_wait_seconds_count",
                "ferry_partition_log_start_offset{partition=\"0\",topic=\"metered\"} 0.0",
                "ferry_partition_log_end_offset{partition=\"0\",topic=\"metered\"} 4.0",
                "ferry_partition_high_watermark{partition=\"0\",topic=\"metered\"} 4.0",
                "ferry_partition_log_size_bytes{partition=\"0\",topic=\"metered\"}",
                "ferry_partition_segments{partition=\"0\",topic=\"metered\"} 1.0",
                "ferry_partition_isr_size{partition=\"0\",topic=\"metered\"} 1.0",
                "ferry_broker_under_replicated_partitions 0.0",
                "ferry_broker_offline_partitions 0.0",
                "ferry_broker_waiting_requests ",
                "ferry_broker_leader_partitions ")) {
            assertTrue(body.contains(expected), "no " + expected + " in\n" + body);
        }

        // Gauges follow partitions that come and go after the first, and byte counters their topics.
        stub(channel)
                .deleteTopic(DeleteTopicRequest.newBuilder().setName("metered").build());
        createTopic(channel, "metered-later", 1, Map.of());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String now = io.ferry.node.NodeHttpAccess.metrics(node);
            assertFalse(now.contains("ferry_partition_log_end_offset{partition=\"0\",topic=\"metered\"}"), now);
            assertFalse(now.contains("ferry_broker_topic_in_bytes_total{topic=\"metered\"}"), now);
            assertFalse(now.contains("ferry_broker_topic_out_bytes_total{topic=\"metered\"}"), now);
            assertTrue(
                    now.contains("ferry_partition_log_end_offset{partition=\"0\",topic=\"metered-later\"} 0.0"), now);
        });
    }

    @Test
    void everyProducerGetsAnIdOfItsOwnAtEpochZeroAcrossBlocks() {
        // One more producer than a block of the controller's holds, so the broker needs a second block.
        int producers = 1_001;
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < producers; i++) {
            InitProducerIdResponse r = stub(channel)
                    .initProducerId(InitProducerIdRequest.newBuilder()
                            .setTransactionTimeoutMs(60_000)
                            .build());
            assertEquals(ErrorCode.NONE, r.getError().getCode(), r.toString());
            assertEquals(0, r.getProducerEpoch());
            assertTrue(r.getProducerId() >= 0, r.toString());
            assertTrue(ids.add(r.getProducerId()), "id " + r.getProducerId() + " handed out twice");
        }
    }

    @Test
    void initProducerIdRefusesATransactionalProducerAndANegativeTimeout() {
        InitProducerIdResponse transactional = stub(channel)
                .initProducerId(InitProducerIdRequest.newBuilder()
                        .setTransactionalId("orders-tx")
                        .build());
        assertEquals(ErrorCode.INVALID_REQUEST, transactional.getError().getCode());
        assertTrue(
                transactional.getError().getMessage().contains("does not support transactions"),
                transactional.getError().getMessage());
        assertEquals(-1, transactional.getProducerId());

        InitProducerIdResponse negative = stub(channel)
                .initProducerId(InitProducerIdRequest.newBuilder()
                        .setTransactionTimeoutMs(-1)
                        .build());
        assertEquals(ErrorCode.INVALID_REQUEST, negative.getError().getCode());
        assertTrue(
                negative.getError().getMessage().contains("transaction_timeout_ms"),
                negative.getError().getMessage());
    }
}
