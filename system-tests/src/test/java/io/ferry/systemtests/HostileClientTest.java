package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.testing.PoisonBatches;
import io.ferry.record.testing.PoisonBatches.Poison;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client with the {@code .proto} and bad intentions, against a real node process with a 256 MiB heap
 * ({@link NodeProcess}): malformed batches with valid CRCs, oversized and repeated-partition requests,
 * values the schema does not define. After every attempt the node is healthy, every record it
 * acknowledged reads back unchanged, and the Java consumer reads the partition to its end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientTest {

    private static final String TOPIC = "target";
    private static final String BIG = "big";
    private static final int ACKED_BATCHES = 5;

    @TempDir
    static Path dir;

    private NodeProcess node;
    private ManagedChannel channel;
    /** Offset to value of every record the node acknowledged on {@link #TOPIC}. */
    private final NavigableMap<Long, String> acknowledged = new TreeMap<>();

    @BeforeAll
    void start() throws Exception {
        Repo.requireNodeJar();
        node = NodeProcess.startBrokerController(Files.createDirectory(dir.resolve("node")));
        channel = NettyChannelBuilder.forTarget(node.bootstrap())
                .usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
        createTopic(TOPIC);
        for (int b = 0; b < ACKED_BATCHES; b++) {
            produceAcknowledged(b);
        }
        createTopic(BIG);
        // A little over 1 MiB, so a fetch asking for 1 MiB of this partition gets a full 1 MiB each time.
        for (int b = 0; b < 12; b++) {
            RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
            builder.append(System.currentTimeMillis(), null, new byte[100_000]);
            assertEquals(
                    ErrorCode.NONE,
                    produce(BIG, 0, builder.build(), Acks.ACKS_ALL).getError().getCode());
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    /** After every attempt: healthy, and what was acknowledged reads back unchanged, to the partition's end. */
    @AfterEach
    void nodeIsUnharmed() throws Exception {
        assertEquals(200, node.get("/health").statusCode(), "the node reports itself healthy");
        long end = stub().listOffsets(ListOffsetsRequest.newBuilder()
                        .addTopics(ListOffsetsTopic.newBuilder()
                                .setTopic(TOPIC)
                                .addPartitions(ListOffsetsPartition.newBuilder()
                                        .setPartition(0)
                                        .setTimestamp(-1)))
                        .build())
                .getTopics(0)
                .getPartitions(0)
                .getOffset();
        assertEquals(acknowledged.lastKey() + 1, end, "nothing but acknowledged records reached the log");
        PartitionContents read =
                PartitionContents.read(node.bootstrap(), new TopicPartition(TOPIC, 0), end, Duration.ofSeconds(30));
        assertEquals(acknowledged, read.values(), "a Java consumer reads every acknowledged record, unchanged");
    }

    static List<Poison> poison() {
        return PoisonBatches.all(System.currentTimeMillis());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void aBatchWithAValidCrcButBadRecordsIsRefused(Poison poison) {
        PartitionProduceResult result = produce(TOPIC, 0, poison.bytes(), Acks.ACKS_ALL);
        assertEquals(
                ErrorCode.valueOf(poison.error()),
                result.getError().getCode(),
                result.getError().getMessage());
        assertTrue(
                result.getError().getMessage().contains(poison.detail()),
                result.getError().getMessage());
    }

    @Test
    void oversizedRequestsAndBatchesAreRefused() {
        RecordBatchBuilder big = RecordBatchBuilder.create(CompressionType.NONE);
        big.append(System.currentTimeMillis(), null, new byte[1_048_588 + 1]);
        PartitionProduceResult tooLarge = produce(TOPIC, 0, big.build(), Acks.ACKS_ALL);
        assertEquals(
                ErrorCode.BATCH_TOO_LARGE,
                tooLarge.getError().getCode(),
                tooLarge.getError().getMessage());

        StatusRuntimeException huge = assertThrows(
                StatusRuntimeException.class, () -> produce(TOPIC, 0, ByteBuffer.allocate(8 << 20), Acks.ACKS_ALL));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode());
    }

    @Test
    void aFetchNamingOnePartitionThousandsOfTimesIsRefusedAndTheHeapSurvives() {
        FetchTopic.Builder amplified = FetchTopic.newBuilder().setTopic(BIG);
        for (int i = 0; i < 2_000; i++) {
            amplified.addPartitions(FetchPartition.newBuilder()
                    .setPartition(0)
                    .setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 20)
                    .setCurrentLeaderEpoch(-1));
        }
        List<FetchPartitionResult> results = stub().fetch(FetchRequest.newBuilder()
                        .setMaxBytes(Integer.MAX_VALUE)
                        .setMaxWaitMs(0)
                        .addTopics(amplified)
                        .build())
                .getTopics(0)
                .getPartitionsList();
        assertEquals(2_000, results.size());
        assertEquals(
                ErrorCode.NONE,
                results.get(0).getError().getCode(),
                results.get(0).getError().getMessage());
        assertTrue(
                results.stream().skip(1).allMatch(r -> r.getError().getCode() == ErrorCode.INVALID_REQUEST),
                "every repeat is refused");
    }

    @Test
    void everyRequestThatNamesAPartitionTwiceRefusesTheRepeat() {
        ProduceRequest produceTwice = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_ALL)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic(TOPIC)
                        .addPartitions(
                                produceData(PoisonBatches.good(CompressionType.NONE, System.currentTimeMillis(), 1)))
                        .addPartitions(
                                produceData(PoisonBatches.good(CompressionType.NONE, System.currentTimeMillis(), 1))))
                .build();
        List<PartitionProduceResult> produced =
                stub().produce(produceTwice).getTopics(0).getPartitionsList();
        assertEquals(ErrorCode.NONE, produced.get(0).getError().getCode());
        acknowledged.put(produced.get(0).getBaseOffset(), "value-0");
        assertEquals(ErrorCode.INVALID_REQUEST, produced.get(1).getError().getCode());

        assertRepeatRefused(
                stub().listOffsets(ListOffsetsRequest.newBuilder()
                                .addTopics(ListOffsetsTopic.newBuilder()
                                        .setTopic(TOPIC)
                                        .addPartitions(ListOffsetsPartition.newBuilder()
                                                .setTimestamp(-1))
                                        .addPartitions(ListOffsetsPartition.newBuilder()
                                                .setTimestamp(-1)))
                                .build())
                        .getTopics(0)
                        .getPartitionsList(),
                r -> r.getError().getCode());
        assertRepeatRefused(
                stub().deleteRecords(DeleteRecordsRequest.newBuilder()
                                .addTopics(DeleteRecordsTopic.newBuilder()
                                        .setTopic(TOPIC)
                                        .addPartitions(DeleteRecordsPartition.newBuilder()
                                                .setOffset(0))
                                        .addPartitions(DeleteRecordsPartition.newBuilder()
                                                .setOffset(0)))
                                .build())
                        .getTopics(0)
                        .getPartitionsList(),
                r -> r.getError().getCode());
        ReplicaFetchPartition replica = ReplicaFetchPartition.newBuilder()
                .setFetchOffset(0)
                .setCurrentLeaderEpoch(-1)
                .setLastFetchedEpoch(-1)
                .setPartitionMaxBytes(1 << 20)
                .build();
        List<ErrorCode> replicaFetched = stub()
                .replicaFetch(ReplicaFetchRequest.newBuilder()
                        .setReplicaId(1)
                        .setMaxBytes(1 << 20)
                        .addTopics(ReplicaFetchTopic.newBuilder()
                                .setTopic(TOPIC)
                                .addPartitions(replica)
                                .addPartitions(replica))
                        .build())
                .getTopics(0)
                .getPartitionsList()
                .stream()
                .map(r -> r.getError().getCode())
                .toList();
        assertEquals(ErrorCode.INVALID_REQUEST, replicaFetched.get(1), replicaFetched.toString());
    }

    @Test
    void valuesTheSchemaDoesNotDefineAreRefusedNotDefaulted() {
        ByteBuffer batch = PoisonBatches.good(CompressionType.NONE, System.currentTimeMillis(), 1);
        ProduceRequest acks99 = ProduceRequest.newBuilder()
                .setAcksValue(99)
                .addTopics(TopicProduceData.newBuilder().setTopic(TOPIC).addPartitions(produceData(batch)))
                .build();
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                stub().produce(acks99).getTopics(0).getPartitions(0).getError().getCode());

        ProduceRequest negativeTimeout =
                acks99.toBuilder().setAcks(Acks.ACKS_ALL).setTimeoutMs(-1).build();
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                stub().produce(negativeTimeout)
                        .getTopics(0)
                        .getPartitions(0)
                        .getError()
                        .getCode());

        FetchPartitionResult staleEpoch = stub().fetch(FetchRequest.newBuilder()
                        .setMaxBytes(1 << 20)
                        .addTopics(FetchTopic.newBuilder()
                                .setTopic(TOPIC)
                                .addPartitions(FetchPartition.newBuilder()
                                        .setPartitionMaxBytes(1 << 20)
                                        .setCurrentLeaderEpoch(-7)))
                        .build())
                .getTopics(0)
                .getPartitions(0);
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                staleEpoch.getError().getCode(),
                staleEpoch.getError().getMessage());
        assertTrue(
                staleEpoch.getError().getMessage().contains("-7"),
                staleEpoch.getError().getMessage());

        FetchPartitionResult negativeWait = stub().fetch(FetchRequest.newBuilder()
                        .setMaxBytes(1 << 20)
                        .setMaxWaitMs(-1)
                        .addTopics(FetchTopic.newBuilder()
                                .setTopic(TOPIC)
                                .addPartitions(FetchPartition.newBuilder()
                                        .setPartitionMaxBytes(1 << 20)
                                        .setCurrentLeaderEpoch(-1)))
                        .build())
                .getTopics(0)
                .getPartitions(0);
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                negativeWait.getError().getCode(),
                negativeWait.getError().getMessage());
    }

    private static <T> void assertRepeatRefused(List<T> results, Function<T, ErrorCode> code) {
        assertEquals(2, results.size());
        assertEquals(ErrorCode.NONE, code.apply(results.get(0)), results.get(0).toString());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                code.apply(results.get(1)),
                results.get(1).toString());
    }

    private void produceAcknowledged(int batchIndex) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.LZ4);
        List<String> values = List.of("acked-" + batchIndex + "-a", "acked-" + batchIndex + "-b");
        values.forEach(v -> builder.append(System.currentTimeMillis(), null, v.getBytes(StandardCharsets.UTF_8)));
        PartitionProduceResult result = produce(TOPIC, 0, builder.build(), Acks.ACKS_ALL);
        assertEquals(
                ErrorCode.NONE, result.getError().getCode(), result.getError().getMessage());
        for (int i = 0; i < values.size(); i++) {
            acknowledged.put(result.getBaseOffset() + i, values.get(i));
        }
    }

    private void createTopic(String name) {
        await("topic " + name + " created and led")
                .atMost(Duration.ofSeconds(60))
                .until(() -> {
                    ErrorCode created = stub().createTopic(CreateTopicRequest.newBuilder()
                                    .setName(name)
                                    .setPartitionCount(1)
                                    .setReplicationFactor(1)
                                    .build())
                            .getError()
                            .getCode();
                    return (created == ErrorCode.NONE || created == ErrorCode.TOPIC_ALREADY_EXISTS)
                            && stub().listOffsets(ListOffsetsRequest.newBuilder()
                                                    .addTopics(ListOffsetsTopic.newBuilder()
                                                            .setTopic(name)
                                                            .addPartitions(ListOffsetsPartition.newBuilder()
                                                                    .setTimestamp(-1)))
                                                    .build())
                                            .getTopics(0)
                                            .getPartitions(0)
                                            .getError()
                                            .getCode()
                                    == ErrorCode.NONE;
                });
    }

    private static PartitionProduceData.Builder produceData(ByteBuffer records) {
        return PartitionProduceData.newBuilder().setPartition(0).setRecords(ByteString.copyFrom(records.duplicate()));
    }

    private PartitionProduceResult produce(String topic, int partition, ByteBuffer records, Acks acks) {
        return stub().produce(ProduceRequest.newBuilder()
                        .setAcks(acks)
                        .setTimeoutMs(10_000)
                        .addTopics(TopicProduceData.newBuilder()
                                .setTopic(topic)
                                .addPartitions(produceData(records).setPartition(partition)))
                        .build())
                .getTopics(0)
                .getPartitions(0);
    }

    private BrokerServiceBlockingStub stub() {
        return BrokerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }
}
