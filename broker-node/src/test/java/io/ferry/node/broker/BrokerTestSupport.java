package io.ferry.node.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.record.BatchScanner;
import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts single broker,controller nodes on loopback with ephemeral ports and talks to them with real stubs. */
public final class BrokerTestSupport {

    public static final int MESSAGE_MAX_BYTES = 100_000;

    private BrokerTestSupport() {}

    /**
     * Produces {@code v0} to {@code v9} to partition 0 of {@code topic} ({@code acks=all}) and reads them back
     * from its start, through the Java client configured with {@code client} (bootstrap servers, TLS, ...).
     */
    public static void assertProducesAndConsumes(Map<String, String> client, String topic) throws Exception {
        Map<String, String> producerConfig = new HashMap<>(client);
        producerConfig.putAll(Map.of("acks", "all", "linger.ms", "1"));
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(producerConfig))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord(topic, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> read = new ArrayList<>();
        try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(client))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"), read);
    }

    public static List<String> combinedNode(int raftPort, Path logDir) {
        return List.of(
                "node.id=1",
                "process.roles=broker,controller",
                "controller.quorum.voters=1@127.0.0.1:" + raftPort,
                "controller.quorum.election.timeout.ms=300",
                "log.dirs=" + logDir,
                "grpc.listener=127.0.0.1:0",
                "http.listener=127.0.0.1:0",
                "broker.heartbeat.interval.ms=500",
                "message.max.bytes=" + MESSAGE_MAX_BYTES,
                "request.timeout.ms=5000");
    }

    public static FerryNode start(int raftPort, Path logDir) throws Exception {
        FerryNode node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), combinedNode(raftPort, logDir)));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        return node;
    }

    public static ManagedChannel channel(FerryNode node) {
        return NettyChannelBuilder.forAddress("127.0.0.1", node.grpcAddress().getPort())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    public static BrokerServiceBlockingStub stub(ManagedChannel channel) {
        return BrokerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Creates the topic and waits until partition 0 answers ListOffsets (the broker has applied leadership). */
    public static void createTopic(ManagedChannel channel, String name, int partitions, Map<String, String> configs) {
        CreateTopicResponse created = stub(channel)
                .createTopic(CreateTopicRequest.newBuilder()
                        .setName(name)
                        .setPartitionCount(partitions)
                        .setReplicationFactor(1)
                        .putAllConfigs(configs)
                        .build());
        assertEquals(ErrorCode.NONE, created.getError().getCode(), created.toString());
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            listOffset(channel, name, partition, -1).getError().getCode() == ErrorCode.NONE);
        }
    }

    public static ByteBuffer batch(String prefix, int records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            builder.append(1_000L + i, null, (prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    public static ProduceRequest produceRequest(
            long correlationId, Acks acks, String topic, int partition, ByteBuffer records) {
        return ProduceRequest.newBuilder()
                .setCorrelationId(correlationId)
                .setAcks(acks)
                .setTimeoutMs(5_000)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic(topic)
                        .addPartitions(PartitionProduceData.newBuilder()
                                .setPartition(partition)
                                .setRecords(ByteString.copyFrom(records.duplicate()))))
                .build();
    }

    public static PartitionProduceResult produce(
            ManagedChannel channel, Acks acks, String topic, int partition, ByteBuffer records) {
        return stub(channel)
                .produce(produceRequest(1, acks, topic, partition, records))
                .getTopics(0)
                .getPartitions(0);
    }

    public static FetchRequest fetchRequest(String topic, int partition, long offset, int maxWaitMs, int minBytes) {
        return FetchRequest.newBuilder()
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes)
                .setMaxBytes(1 << 20)
                .addTopics(FetchTopic.newBuilder()
                        .setTopic(topic)
                        .addPartitions(FetchPartition.newBuilder()
                                .setPartition(partition)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)
                                .setCurrentLeaderEpoch(-1)))
                .build();
    }

    public static FetchPartitionResult fetch(ManagedChannel channel, String topic, int partition, long offset) {
        return stub(channel)
                .fetch(fetchRequest(topic, partition, offset, 0, 0))
                .getTopics(0)
                .getPartitions(0);
    }

    public static ListOffsetsPartitionResult listOffset(
            ManagedChannel channel, String topic, int partition, long timestamp) {
        return stub(channel)
                .listOffsets(ListOffsetsRequest.newBuilder()
                        .addTopics(ListOffsetsTopic.newBuilder()
                                .setTopic(topic)
                                .addPartitions(ListOffsetsPartition.newBuilder()
                                        .setPartition(partition)
                                        .setTimestamp(timestamp)))
                        .build())
                .getTopics(0)
                .getPartitions(0);
    }

    /** Offset and value of every record of the partition from {@code from}, fetched until the high watermark. */
    public static List<String> readAll(ManagedChannel channel, String topic, int partition, long from)
            throws Exception {
        List<String> values = new ArrayList<>();
        long next = from;
        for (int round = 0; round < 1_000; round++) {
            FetchPartitionResult result = fetch(channel, topic, partition, next);
            assertEquals(
                    ErrorCode.NONE,
                    result.getError().getCode(),
                    result.getError().getMessage());
            if (result.getRecords().isEmpty()) {
                return values;
            }
            BatchScanner scanner = BatchScanner.of(result.getRecords().asReadOnlyByteBuffer());
            for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                RecordIterator records = b.records();
                while (records.hasNext()) {
                    Record r = records.next();
                    if (r.offset() >= next) {
                        values.add(r.offset() + ":" + new String(r.valueBytes(), StandardCharsets.UTF_8));
                    }
                }
                next = b.nextOffset();
            }
        }
        throw new AssertionError("more than 1000 fetch rounds");
    }
}
