package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.RecordHeader;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribePartition;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeStart;
import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** RecordService.Subscribe on one process.roles=broker,controller node: it leads every partition it serves. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscribeNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(LoopbackPorts.freePort(), dir.resolve("logs"));
        channel = BrokerTestSupport.channel(node);
        createTopic(channel, "positions", 1, Map.of());
        // Offsets 0..4 at timestamps 1000..1004 (uncompressed), 5..9 at 5000..5004 (zstd, with a header).
        RecordBatchBuilder early = RecordBatchBuilder.create(CompressionType.NONE);
        RecordBatchBuilder late = RecordBatchBuilder.create(CompressionType.ZSTD);
        for (int i = 0; i < 5; i++) {
            early.append(1_000 + i, null, bytes("a" + i));
            late.append(5_000 + i, bytes("k" + i), bytes("b" + i), List.of(new Header("h", bytes("v"))));
        }
        produce(channel, Acks.ACKS_ALL, "positions", 0, early.build());
        produce(channel, Acks.ACKS_ALL, "positions", 0, late.build());
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SubscribeStart.Builder start(String topic, StartPosition start) {
        return SubscribeStart.newBuilder().setTopic(topic).setStart(start);
    }

    private static StartPosition earliest() {
        return StartPosition.newBuilder()
                .setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)
                .build();
    }

    private List<String> first(SubscribeStart start, int count) {
        TestSubscriber subscriber = TestSubscriber.open(channel, start);
        try {
            await().atMost(WAIT).until(() -> subscriber.records().size() >= count);
            return subscriber.delivered().subList(0, count);
        } finally {
            subscriber.cancel();
        }
    }

    private double gauge(String name) {
        return node.meterRegistry().find(name).gauge().value();
    }

    @Test
    void earliestDeliversEveryRecordDecodedFromAnyCodecInOffsetOrder() {
        TestSubscriber subscriber =
                TestSubscriber.open(channel, start("positions", earliest()).build());
        await().atMost(WAIT).until(() -> subscriber.records().size() >= 10);
        assertEquals(
                List.of(
                        "0:0:a0", "0:1:a1", "0:2:a2", "0:3:a3", "0:4:a4", "0:5:b0", "0:6:b1", "0:7:b2", "0:8:b3",
                        "0:9:b4"),
                subscriber.delivered());
        ConsumedRecord keyed = subscriber.records().get(5);
        assertEquals(ByteString.copyFromUtf8("k0"), keyed.getKey());
        assertEquals(5_000, keyed.getTimestampMs());
        assertEquals(
                List.of(RecordHeader.newBuilder()
                        .setKey("h")
                        .setValue(ByteString.copyFromUtf8("v"))
                        .build()),
                keyed.getHeadersList());
        assertTrue(!subscriber.records().get(0).hasKey(), "a record without a key has none");
        subscriber.cancel();
    }

    @Test
    void anOffsetStartSkipsTheRecordsBelowItInItsBatch() {
        assertEquals(
                List.of("0:3:a3", "0:4:a4", "0:5:b0"),
                first(
                        start(
                                        "positions",
                                        StartPosition.newBuilder().setOffset(3).build())
                                .build(),
                        3));
    }

    @Test
    void aTimestampStartBeginsAtTheFirstRecordAtOrAfterIt() {
        assertEquals(
                List.of("0:5:b0", "0:6:b1"),
                first(
                        start(
                                        "positions",
                                        StartPosition.newBuilder()
                                                .setTimestampMs(4_000)
                                                .build())
                                .build(),
                        2));
    }

    @Test
    void aPartitionsOwnStartOverridesTheStreams() {
        assertEquals(
                List.of("0:8:b3"),
                first(
                        start("positions", earliest())
                                .addPartitions(SubscribePartition.newBuilder()
                                        .setPartition(0)
                                        .setStart(StartPosition.newBuilder().setOffset(8)))
                                .build(),
                        1));
    }

    @Test
    void latestDeliversOnlyRecordsProducedAfterTheStart() {
        createTopic(channel, "latest", 1, Map.of());
        produce(channel, Acks.ACKS_ALL, "latest", 0, BrokerTestSupport.batch("old", 3));
        TestSubscriber subscriber = TestSubscriber.open(
                channel, SubscribeStart.newBuilder().setTopic("latest").build());
        // The start resolves asynchronously: produce until the stream delivers something.
        await().atMost(WAIT).until(() -> {
            produce(channel, Acks.ACKS_ALL, "latest", 0, BrokerTestSupport.batch("new", 1));
            return !subscriber.records().isEmpty();
        });
        List<String> delivered = subscriber.delivered();
        assertTrue(delivered.stream().allMatch(r -> r.endsWith(":new0")), delivered.toString());
        assertTrue(subscriber.records().get(0).getOffset() >= 3, delivered.toString());
        subscriber.cancel();
    }

    private Status refusal(SubscribeStart start) throws Exception {
        return TestSubscriber.open(channel, start).ended().get(30, TimeUnit.SECONDS);
    }

    private static void assertRefused(Status.Code code, String inMessage, Status status) {
        assertEquals(code, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains(inMessage), status.toString());
    }

    @Test
    void badStartsEndTheStreamWithAClearStatusAndTheNodeKeepsServing() throws Exception {
        assertRefused(
                Status.Code.NOT_FOUND, "nope", refusal(start("nope", earliest()).build()));
        assertRefused(
                Status.Code.NOT_FOUND,
                "no partition 7",
                refusal(start("positions", earliest())
                        .addPartitions(SubscribePartition.newBuilder().setPartition(7))
                        .build()));
        assertRefused(
                Status.Code.NOT_FOUND,
                "no partition -1",
                refusal(start("positions", earliest())
                        .addPartitions(SubscribePartition.newBuilder().setPartition(-1))
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "named more than once",
                refusal(start("positions", earliest())
                        .addPartitions(SubscribePartition.newBuilder().setPartition(0))
                        .addPartitions(SubscribePartition.newBuilder().setPartition(0))
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "start.offset is -1",
                refusal(start(
                                "positions",
                                StartPosition.newBuilder().setOffset(-1).build())
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "partitions[0].start.timestamp_ms is -5",
                refusal(start("positions", earliest())
                        .addPartitions(SubscribePartition.newBuilder()
                                .setPartition(0)
                                .setStart(StartPosition.newBuilder().setTimestampMs(-5)))
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "boundary 7",
                refusal(start(
                                "positions",
                                StartPosition.newBuilder().setBoundaryValue(7).build())
                        .build()));
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "max_bytes is -1",
                refusal(start("positions", earliest()).setMaxBytes(-1).build()));
        assertRefused(
                Status.Code.OUT_OF_RANGE,
                "offset 11 is outside the log [0, 10]",
                refusal(start(
                                "positions",
                                StartPosition.newBuilder().setOffset(11).build())
                        .build()));

        TestSubscriber twice =
                TestSubscriber.open(channel, start("positions", earliest()).build());
        twice.send(SubscribeRequest.newBuilder()
                .setStart(start("positions", earliest()))
                .build());
        assertRefused(
                Status.Code.INVALID_ARGUMENT, "another arrived", twice.ended().get(30, TimeUnit.SECONDS));
        TestSubscriber noStart = TestSubscriber.openWith(channel, SubscribeRequest.getDefaultInstance(), true);
        assertRefused(
                Status.Code.INVALID_ARGUMENT, "must be a start", noStart.ended().get(30, TimeUnit.SECONDS));

        assertEquals(List.of("0:0:a0"), first(start("positions", earliest()).build(), 1));
        await().atMost(WAIT).until(() -> gauge("ferry.broker.subscribe.streams") == 0);
    }

    @Test
    void aSubscriberThatReadsNothingHoldsBoundedBrokerMemoryAndCancellingFreesIt() {
        createTopic(channel, "slow", 1, Map.of());
        int maxBytes = 64 << 10;
        TestSubscriber subscriber = TestSubscriber.open(
                channel, start("slow", earliest()).setMaxBytes(maxBytes).build(), false);
        await().atMost(WAIT).until(() -> gauge("ferry.broker.subscribe.streams") == 1);
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'x');
        long produced = 0;
        for (int batch = 0; batch < 160; batch++) {
            RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
            IntStream.range(0, 400).forEach(i -> builder.append(1_000, null, value));
            ByteBuffer records = builder.build();
            produced += records.remaining();
            produce(channel, Acks.ACKS_LEADER, "slow", 0, records);
            assertTrue(gauge("ferry.broker.subscribe.held") <= maxBytes, "one answer at most");
        }
        // The transport backed up: the last answer stays held (it waits for the stream to be ready again).
        await().atMost(WAIT).until(() -> gauge("ferry.broker.subscribe.held") > 0);
        assertTrue(gauge("ferry.broker.subscribe.held") <= maxBytes, "one answer at most");
        double read = node.meterRegistry()
                .find("ferry.broker.topic.out.bytes")
                .tag("topic", "slow")
                .counter()
                .count();
        assertTrue(read < produced / 2, "read " + read + " of " + produced + " bytes for a reader that takes none");
        assertTrue(subscriber.records().isEmpty());
        assertTrue(
                gauge("ferry.broker.fetch.queued.answers") >= gauge("ferry.broker.subscribe.held"),
                "what the stream holds counts in the broker's fetch answer budget");

        subscriber.cancel();
        await().atMost(WAIT)
                .until(() -> gauge("ferry.broker.subscribe.streams") == 0
                        && gauge("ferry.broker.subscribe.held") == 0
                        && gauge("ferry.broker.fetch.queued.answers") == 0);
    }
}
