package io.ferry.node.internal.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.LoopbackBrokers;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopicResult;
import io.ferry.replication.FetchParams;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower's side of ReplicaFetch against a leader on loopback. */
class GrpcLeaderClientTest {

    private static final int LEADER = 7;

    private Server server;
    private GrpcLeaderClient client;
    /** The leaders the client reported unreachable. */
    private final List<Integer> unreachable = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAnswerIsHandedToTheFetcherOnTheTransportThreadThatReadIt() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerServiceGrpc.BrokerServiceImplBase() {
                    @Override
                    public void replicaFetch(
                            ReplicaFetchRequest request, StreamObserver<ReplicaFetchResponse> observer) {
                        try {
                            // Answered once the test listens, so the answer's arrival completes the future.
                            listening.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        observer.onNext(ReplicaFetchResponse.getDefaultInstance());
                        observer.onCompleted();
                    }
                })
                .build()
                .start();
        BrokerMetadata view = LoopbackBrokers.viewWith(LEADER, server.getPort());
        client = new GrpcLeaderClient(() -> view, 1 << 20, Optional.empty(), unreachable::add);

        CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = client.fetch(
                LEADER,
                1,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(new TopicPartition("t", 0), 0, 0, -1, 1 << 20)),
                true,
                30_000);
        CompletableFuture<String> handedOverOn =
                answer.thenApply(r -> Thread.currentThread().getName());
        listening.countDown();

        String thread = handedOverOn.get(30, TimeUnit.SECONDS);
        assertEquals(Map.of(), answer.get());
        // grpc-java names its Netty event loop threads "grpc-…-ELG-…"; its default callback executor's threads
        // are "grpc-default-executor-…", the hop this client leaves out.
        assertTrue(thread.contains("-ELG-"), "the answer was handed over on " + thread);
    }

    private CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> fetchFrom(int port) {
        BrokerMetadata view = LoopbackBrokers.viewWith(LEADER, port);
        client = new GrpcLeaderClient(() -> view, 1 << 20, Optional.empty(), unreachable::add);
        return client.fetch(
                LEADER,
                1,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(new TopicPartition("t", 0), 0, 0, -1, 1 << 20)),
                true,
                30_000);
    }

    @Test
    void aLeaderNothingListensForIsReportedUnreachable() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> fetchFrom(port).get(30, TimeUnit.SECONDS));
        assertTrue(
                e.getCause().getMessage().contains("UNAVAILABLE"), e.getCause().getMessage());
        assertEquals(List.of(LEADER), unreachable);
    }

    @Test
    void aLeaderThatAnswersAnErrorIsNotReportedUnreachable() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerServiceGrpc.BrokerServiceImplBase() {
                    @Override
                    public void replicaFetch(
                            ReplicaFetchRequest request, StreamObserver<ReplicaFetchResponse> observer) {
                        observer.onError(Status.PERMISSION_DENIED.asRuntimeException());
                    }
                })
                .build()
                .start();
        assertThrows(ExecutionException.class, () -> fetchFrom(server.getPort()).get(30, TimeUnit.SECONDS));
        assertEquals(List.of(), unreachable);
    }

    @Test
    void aSessionTheLeaderNoLongerHoldsIsOpenedAgainWithinTheSameFetch() throws Exception {
        List<ReplicaFetchRequest> received = new CopyOnWriteArrayList<>();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerServiceGrpc.BrokerServiceImplBase() {
                    @Override
                    public void replicaFetch(
                            ReplicaFetchRequest request, StreamObserver<ReplicaFetchResponse> observer) {
                        received.add(request);
                        ReplicaFetchResponse.Builder answer = ReplicaFetchResponse.newBuilder();
                        if (request.getSessionEpoch() > 0) {
                            // As a leader that restarted since the session opened answers.
                            answer.setError(Error.newBuilder()
                                    .setCode(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
                                    .setMessage("no session " + request.getSessionId()));
                        } else {
                            answer.setSessionId(40 + received.size())
                                    .addTopics(ReplicaFetchTopicResult.newBuilder()
                                            .setTopic("t")
                                            .addPartitions(ReplicaFetchPartitionResult.newBuilder()
                                                    .setPartition(0)
                                                    .setHighWatermark(received.size())));
                        }
                        observer.onNext(answer.build());
                        observer.onCompleted();
                    }
                })
                .build()
                .start();
        BrokerMetadata view = LoopbackBrokers.viewWith(LEADER, server.getPort());
        client = new GrpcLeaderClient(() -> view, 1 << 20, Optional.empty(), unreachable::add);
        List<ReplicaFetchPartition> positions = List.of(
                new ReplicaFetchPartition(new TopicPartition("t", 0), 5, 1, 1, 1 << 20),
                new ReplicaFetchPartition(new TopicPartition("t", 1), 9, 1, 1, 1 << 20));

        client.fetch(LEADER, 1, new FetchParams(0, 0, 1 << 20), positions, false, 30_000)
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, ReplicaFetchResult> answer = client.fetch(
                        LEADER, 1, new FetchParams(0, 0, 1 << 20), positions, false, 30_000)
                .get(30, TimeUnit.SECONDS);

        assertEquals(3, received.size());
        assertEquals(0, received.get(0).getSessionEpoch());
        assertEquals(2, received.get(0).getTopics(0).getPartitionsCount());
        assertEquals(41, received.get(1).getSessionId());
        assertEquals(1, received.get(1).getSessionEpoch());
        assertEquals(0, received.get(1).getTopicsCount(), "no position moved");
        assertEquals(0, received.get(2).getSessionEpoch(), "refused, the fetch was sent again in full");
        assertEquals(2, received.get(2).getTopics(0).getPartitionsCount());
        assertEquals(3, answer.get(new TopicPartition("t", 0)).highWatermark(), "the full request's answer");
        answer.values().forEach(result -> result.lease().release());
        assertEquals(List.of(), unreachable);
    }
}
