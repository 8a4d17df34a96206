package io.ferry.node.internal.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.LoopbackBrokers;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.replication.FetchParams;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower's side of ReplicaFetch against a leader on loopback whose answer the test releases. */
class GrpcLeaderClientTest {

    private static final int LEADER = 7;

    private Server server;
    private GrpcLeaderClient client;

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
        client = new GrpcLeaderClient(() -> view, 1 << 20, Optional.empty());

        CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = client.fetch(
                LEADER,
                1,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(new TopicPartition("t", 0), 0, 0, -1, 1 << 20)),
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
}
