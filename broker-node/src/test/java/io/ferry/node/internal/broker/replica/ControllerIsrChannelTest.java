package io.ferry.node.internal.broker.replica;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.config.HostPort;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader's ISR changes go to the controller batched: one request in flight, the changes made meanwhile
 * together in the next, each answered on its own.
 */
class ControllerIsrChannelTest {

    private static final int BROKER = 1;

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final ControllerGateway gateway = new ControllerGateway(fatalErrors.threads(), Optional.empty());
    /** The changes of each request the controller got, in order. */
    private final List<List<PartitionIsrChange>> requests = new CopyOnWriteArrayList<>();
    /** Holds the answer to the first request until counted down. */
    private final CountDownLatch firstAnswer = new CountDownLatch(1);

    private Server server;

    @AfterEach
    void stop() throws InterruptedException {
        firstAnswer.countDown();
        gateway.close();
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), fatalErrors.recorded());
    }

    /**
     * A controller that accepts every change (the partition gets the new ISR and its epoch one up) except those
     * of {@code refusedPartition}, refused as stale; its first answer waits for {@link #firstAnswer}.
     */
    private ControllerIsrChannel channel(int maxChangesPerRequest, int refusedPartition) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ControllerServiceGrpc.ControllerServiceImplBase() {
                    @Override
                    public void alterPartition(
                            AlterPartitionRequest request, StreamObserver<AlterPartitionResponse> observer) {
                        requests.add(request.getChangesList());
                        if (requests.size() == 1) {
                            awaitRelease();
                        }
                        AlterPartitionResponse.Builder answer =
                                AlterPartitionResponse.newBuilder().setError(ok());
                        for (PartitionIsrChange change : request.getChangesList()) {
                            answer.addPartitions(
                                    change.getPartition() == refusedPartition
                                            ? PartitionIsrResult.newBuilder()
                                                    .setError(Error.newBuilder()
                                                            .setCode(ErrorCode.STALE_PARTITION_EPOCH)
                                                            .setMessage("stale"))
                                                    .build()
                                            : PartitionIsrResult.newBuilder()
                                                    .setError(ok())
                                                    .setPartition(PartitionRecord.newBuilder()
                                                            .setTopic(change.getTopic())
                                                            .setPartition(change.getPartition())
                                                            .setLeader(BROKER)
                                                            .setLeaderEpoch(change.getLeaderEpoch())
                                                            .setPartitionEpoch(change.getPartitionEpoch() + 1)
                                                            .addAllReplicas(List.of(1, 2, 3))
                                                            .addAllIsr(change.getNewIsrList()))
                                                    .build());
                        }
                        observer.onNext(answer.build());
                        observer.onCompleted();
                    }
                })
                .build()
                .start();
        gateway.connect(List.of(new HostPort(
                "127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort())));
        return new ControllerIsrChannel(BROKER, () -> "incarnation", gateway, 10_000, maxChangesPerRequest);
    }

    private static Error ok() {
        return Error.newBuilder().setCode(ErrorCode.NONE).build();
    }

    private void awaitRelease() {
        try {
            firstAnswer.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CompletableFuture<LeaderAndIsr> shrink(ControllerIsrChannel channel, int partition) {
        return channel.alterPartition(new TopicPartition("t", partition), 4, 7, List.of(BROKER, 2));
    }

    /** Changes 1..4 sent while the request of change 0 is unanswered. */
    private List<CompletableFuture<LeaderAndIsr>> fiveChangesTheLastFourWhileTheFirstIsInFlight(
            ControllerIsrChannel channel) {
        List<CompletableFuture<LeaderAndIsr>> results = new ArrayList<>();
        results.add(shrink(channel, 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> !requests.isEmpty());
        for (int p = 1; p <= 4; p++) {
            results.add(shrink(channel, p));
        }
        firstAnswer.countDown();
        return results;
    }

    @Test
    void changesMadeWhileARequestIsInFlightGoTogetherInTheNext() throws Exception {
        ControllerIsrChannel channel = channel(10_000, -1);
        List<CompletableFuture<LeaderAndIsr>> results = fiveChangesTheLastFourWhileTheFirstIsInFlight(channel);
        for (CompletableFuture<LeaderAndIsr> result : results) {
            LeaderAndIsr after = result.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(BROKER, 2), after.isr());
            assertEquals(8, after.partitionEpoch());
        }
        assertEquals(List.of(1, 4), requests.stream().map(List::size).toList());
        assertEquals(
                List.of(1, 2, 3, 4),
                requests.get(1).stream().map(PartitionIsrChange::getPartition).toList());
    }

    @Test
    void aRequestCarriesAtMostTheLimitAndTheRestFollow() throws Exception {
        ControllerIsrChannel channel = channel(3, -1);
        List<CompletableFuture<LeaderAndIsr>> results = fiveChangesTheLastFourWhileTheFirstIsInFlight(channel);
        for (CompletableFuture<LeaderAndIsr> result : results) {
            result.get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(1, 3, 1), requests.stream().map(List::size).toList());
    }

    @Test
    void aRefusedChangeFailsAloneWithTheControllersReason() throws Exception {
        ControllerIsrChannel channel = channel(10_000, 2);
        List<CompletableFuture<LeaderAndIsr>> results = fiveChangesTheLastFourWhileTheFirstIsInFlight(channel);
        ExecutionException refused =
                assertThrows(ExecutionException.class, () -> results.get(2).get(30, TimeUnit.SECONDS));
        ReplicationException cause = assertInstanceOf(ReplicationException.class, refused.getCause());
        assertEquals(ErrorCode.STALE_PARTITION_EPOCH, cause.error().code());
        for (int p : List.of(0, 1, 3, 4)) {
            assertEquals(
                    List.of(BROKER, 2), results.get(p).get(30, TimeUnit.SECONDS).isr());
        }
    }
}
