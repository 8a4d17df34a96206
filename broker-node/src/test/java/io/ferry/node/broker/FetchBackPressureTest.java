package io.ferry.node.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.NodeHttpAccess;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through a real node and real connections: a connection has at most
 * {@code grpc.max.concurrent.calls.per.connection} calls open. An answer that a client does not read stays queued in gRPC's
 * send buffers and holds its room in {@code fetch.response.queued.max.bytes} until the call ends, so
 * another connection's fetch waits instead of making the broker queue more; cancelling the unread call,
 * or a read answer's call completing, gives the room back.
 */
class FetchBackPressureTest {

    /** About 2 MB of records: batches of 90 records of 1 KB, under the node's 100 KB message.max.bytes. */
    private static final int BATCHES = 22;
    /** Room for one answer of the whole partition, not two. */
    private static final long ROOM = 3_000_000;

    @TempDir
    Path dir;

    private static FetchRequest wholePartition() {
        return FetchRequest.newBuilder()
                .setMaxWaitMs(10_000)
                .setMinBytes(1)
                .setMaxBytes(4 << 20)
                .addTopics(FetchTopic.newBuilder()
                        .setTopic("big")
                        .addPartitions(FetchPartition.newBuilder()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(4 << 20)
                                .setCurrentLeaderEpoch(-1)))
                .build();
    }

    private static int recordCount(ListenableFuture<FetchResponse> answer) throws Exception {
        ByteString records =
                answer.get(30, TimeUnit.SECONDS).getTopics(0).getPartitions(0).getRecords();
        return records.isEmpty()
                ? 0
                : RecordBatch.wrap(records.asReadOnlyByteBuffer()).recordCount();
    }

    private static int recordBytes(ListenableFuture<FetchResponse> answer) throws Exception {
        FetchResponse response = answer.get(30, TimeUnit.SECONDS);
        assertEquals(
                ErrorCode.NONE,
                response.getTopics(0).getPartitions(0).getError().getCode());
        return response.getTopics(0).getPartitions(0).getRecords().size();
    }

    private FerryNode start(String... extraSettings) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.addAll(List.of(extraSettings));
        FerryNode node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        return node;
    }

    private static double gauge(FerryNode node, String name) throws Exception {
        return NodeHttpAccess.metrics(node)
                .lines()
                .filter(line -> line.startsWith(name + " "))
                .findFirst()
                .map(line -> Double.parseDouble(line.substring(name.length() + 1)))
                .orElseThrow();
    }

    @Test
    void aConnectionHasNoMoreCallsOpenThanTheLimitAndOpensTheNextAsOneEnds() throws Exception {
        try (FerryNode node = start("grpc.max.concurrent.calls.per.connection=2")) {
            ManagedChannel channel = BrokerTestSupport.channel(node);
            ManagedChannel producer = BrokerTestSupport.channel(node);
            try {
                BrokerTestSupport.createTopic(producer, "idle", 1, Map.of());
                BrokerServiceGrpc.BrokerServiceFutureStub stub =
                        BrokerServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                List<ListenableFuture<FetchResponse>> polls = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    polls.add(stub.fetch(BrokerTestSupport.fetchRequest("idle", 0, 0, 10_000, 1)));
                }

                await().atMost(Duration.ofSeconds(5)).until(() -> gauge(node, "ferry_broker_waiting_requests") == 2);
                await().during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> gauge(node, "ferry_broker_waiting_requests") == 2);
                // On a connection of its own: this one's calls are all taken.
                BrokerTestSupport.produce(producer, Acks.ACKS_LEADER, "idle", 0, BrokerTestSupport.batch("r", 1));

                for (ListenableFuture<FetchResponse> poll : polls) {
                    assertEquals(1, recordCount(poll), "the third call started once one of the first two ended");
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                producer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anUnreadAnswerHoldsItsRoomUntilItsCallIsCancelled() throws Exception {
        try (FerryNode node = start(
                "fetch.response.queued.max.bytes=" + ROOM, "fetch.response.queued.max.bytes.per.connection=" + ROOM)) {
            ManagedChannel reader = BrokerTestSupport.channel(node);
            // A window of 64 KiB that the client never opens further: the rest of the answer stays on the broker.
            ManagedChannel nonReader = NettyChannelBuilder.forAddress(
                            "127.0.0.1", node.grpcAddress().getPort())
                    .usePlaintext()
                    .flowControlWindow(65_536)
                    .build();
            try {
                BrokerTestSupport.createTopic(reader, "big", 1, Map.of());
                for (int i = 0; i < BATCHES; i++) {
                    RecordBatchBuilder batch = RecordBatchBuilder.create(CompressionType.NONE);
                    for (int r = 0; r < 90; r++) {
                        // Current timestamps: a segment whose first batch is older than segment.ms rolls at once.
                        batch.append(System.currentTimeMillis(), null, new byte[1_000]);
                    }
                    assertEquals(
                            ErrorCode.NONE,
                            BrokerTestSupport.produce(reader, Acks.ACKS_LEADER, "big", 0, batch.build())
                                    .getError()
                                    .getCode());
                }

                ClientCall<FetchRequest, FetchResponse> unread =
                        nonReader.newCall(BrokerServiceGrpc.getFetchMethod(), CallOptions.DEFAULT);
                CompletableFuture<Void> answering = new CompletableFuture<>();
                unread.start(
                        new ClientCall.Listener<>() {
                            @Override
                            public void onHeaders(Metadata headers) {
                                answering.complete(null);
                            }
                        },
                        new Metadata());
                unread.sendMessage(wholePartition());
                unread.halfClose();
                answering.get(30, TimeUnit.SECONDS);

                BrokerServiceGrpc.BrokerServiceFutureStub stub =
                        BrokerServiceGrpc.newFutureStub(reader).withDeadlineAfter(30, TimeUnit.SECONDS);
                ListenableFuture<FetchResponse> waiting = stub.fetch(wholePartition());
                await().during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> !waiting.isDone());

                unread.cancel("the client goes away", null);

                int whole = recordBytes(waiting);
                assertTrue(whole > BATCHES * 90 * 1_000, "the whole partition: " + whole + " bytes");
                // The read answer's call completed, so its room is back: no wait that ends without records.
                assertEquals(whole, recordBytes(stub.fetch(wholePartition())));
            } finally {
                reader.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                nonReader.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
