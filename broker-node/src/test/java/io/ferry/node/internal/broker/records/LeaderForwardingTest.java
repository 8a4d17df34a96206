package io.ferry.node.internal.broker.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.LoopbackBrokers;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceResult;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forwarding to a leader that answers oddly: a leader on loopback whose Produce answer the test decides. */
class LeaderForwardingTest {

    private static final int LEADER = 7;

    private Server server;
    private BrokerChannels channels;

    @AfterEach
    void stop() throws InterruptedException {
        if (channels != null) {
            channels.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private Map<Integer, AppendAnswer> forwardTo(BiConsumer<ProduceRequest, StreamObserver<ProduceResponse>> leader)
            throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerServiceGrpc.BrokerServiceImplBase() {
                    @Override
                    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> observer) {
                        leader.accept(request, observer);
                    }
                })
                .build()
                .start();
        BrokerMetadata view = LoopbackBrokers.viewWith(LEADER, server.getPort());
        channels = new BrokerChannels(() -> view, 1 << 20, Optional.empty());
        CompletableFuture<Map<Integer, AppendAnswer>> answered = new CompletableFuture<>();
        new LeaderForwarding(channels)
                .forward(
                        LEADER,
                        "t",
                        Map.of(0, ByteBuffer.wrap(new byte[] {1}), 1, ByteBuffer.wrap(new byte[] {2})),
                        Acks.ACKS_ALL,
                        5_000,
                        answered::complete);
        return answered.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aLeaderRefusingTheRequestsSizeIsBatchTooLargeNotARetriableError() throws Exception {
        Map<Integer, AppendAnswer> answers = forwardTo((request, observer) -> observer.onError(
                Status.RESOURCE_EXHAUSTED.withDescription("too large").asRuntimeException()));
        assertEquals(ErrorCode.BATCH_TOO_LARGE, answers.get(0).error());
        assertEquals(ErrorCode.BATCH_TOO_LARGE, answers.get(1).error());
    }

    @Test
    void aLeaderThatCannotBeReachedIsNotLeaderForEveryPartition() throws Exception {
        Map<Integer, AppendAnswer> answers =
                forwardTo((request, observer) -> observer.onError(Status.UNAVAILABLE.asRuntimeException()));
        assertEquals(
                Map.of(0, ErrorCode.NOT_LEADER, 1, ErrorCode.NOT_LEADER),
                Map.of(0, answers.get(0).error(), 1, answers.get(1).error()));
    }

    @Test
    void partitionsTheLeaderAnswersUnaskedAreIgnoredAndThoseItLeavesOutFail() throws Exception {
        Map<Integer, AppendAnswer> answers = forwardTo((request, observer) -> {
            observer.onNext(ProduceResponse.newBuilder()
                    .addTopics(TopicProduceResult.newBuilder()
                            .setTopic("t")
                            .addPartitions(appended(0, 40))
                            .addPartitions(appended(9, 50)))
                    .build());
            observer.onCompleted();
        });
        assertEquals(2, answers.size(), answers.toString());
        assertEquals(40, answers.get(0).baseOffset());
        assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, answers.get(1).error());
    }

    private static PartitionProduceResult appended(int partition, long baseOffset) {
        return PartitionProduceResult.newBuilder()
                .setPartition(partition)
                .setError(Error.newBuilder().setCode(ErrorCode.NONE))
                .setBaseOffset(baseOffset)
                .setLogAppendTimeMs(-1)
                .build();
    }
}
