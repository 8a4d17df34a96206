package io.ferry.node.internal.broker.handler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ferry.config.HostPort;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.controller.BrokerLifecycle;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.quota.ClientThrottle;
import io.ferry.node.internal.broker.topic.TopicAdmission;
import io.ferry.node.internal.broker.topic.TopicConfigs;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.LogConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admin calls forwarded to the controllers hold no gRPC thread while the controllers decide: a broker
 * whose gRPC executor has two threads takes many more admin calls against a controller that has not
 * answered yet, and still answers Metadata meanwhile. And each goes with an idempotency key.
 */
class AdminCallsTest {

    private static final int GRPC_THREADS = 2;
    private static final int CALLS = 20;

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    /** CreateTopic calls the controller holds, unanswered until the test answers them. */
    private final ConcurrentLinkedQueue<StreamObserver<CreateTopicResponse>> held = new ConcurrentLinkedQueue<>();
    /** CreateTopic requests as the controller got them. */
    private final ConcurrentLinkedQueue<CreateTopicRequest> forwarded = new ConcurrentLinkedQueue<>();

    private final ExecutorService grpcExecutor = Executors.newFixedThreadPool(GRPC_THREADS);
    private final ScheduledExecutorService throttleScheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Server> servers = new ArrayList<>();
    private final ControllerGateway controllers = new ControllerGateway(fatalErrors.threads(), Optional.empty());
    private final ReplicaManager replicas = HandlerFixtures.replicaManager(tp -> {
        throw new AssertionError("no log in this test");
    });
    private BrokerLifecycle session;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Server server : servers) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        session.close();
        controllers.close();
        replicas.close();
        grpcExecutor.shutdownNow();
        throttleScheduler.shutdownNow();
        assertEquals(List.of(), fatalErrors.recorded());
    }

    private Server started(NettyServerBuilder builder) throws IOException {
        Server server = builder.build().start();
        servers.add(server);
        return server;
    }

    private static int port(Server server) {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** A controller that holds every CreateTopic until the test answers it. */
    private HostPort slowController() throws IOException {
        Server server = started(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ControllerServiceGrpc.ControllerServiceImplBase() {
                    @Override
                    public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> observer) {
                        forwarded.add(request);
                        held.add(observer);
                    }
                }));
        return new HostPort("127.0.0.1", port(server));
    }

    /** The broker service on a server whose calls run on {@link #GRPC_THREADS} threads. */
    private BrokerServiceGrpc.BrokerServiceStub broker() throws IOException {
        BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry(), replicas);
        session = new BrokerLifecycle(
                1, controllers, Set.of(1), 500, 30_000, view -> {}, fatalErrors.threads(), InstantSource.system());
        TopicAdmission admission =
                new TopicAdmission(1, 1, new TopicConfigs(LogConfig.defaults(), 1, () -> BrokerMetadata.EMPTY));
        BrokerGrpcService service = new BrokerGrpcService(
                replicas,
                session,
                controllers,
                metrics,
                30_000,
                new BrokerGrpcService.FetchLimits(1 << 20, 1 << 20),
                HandlerFixtures.plentyOfRoom(),
                admission,
                BrokerAuthorizer.allowingEverything(),
                new ClientThrottle(
                        11, 1000, Map::of, System::currentTimeMillis, throttleScheduler, new SimpleMeterRegistry()));
        Server server = started(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .executor(grpcExecutor)
                .addService(service.bindService()));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port(server))
                .usePlaintext()
                .build();
        return BrokerServiceGrpc.newStub(channel);
    }

    @Test
    void adminCallsWaitingForTheControllerHoldNoGrpcThread() throws Exception {
        controllers.connect(List.of(slowController()));
        BrokerServiceGrpc.BrokerServiceStub broker = broker();
        List<CompletableFuture<CreateTopicResponse>> answers = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            CompletableFuture<CreateTopicResponse> answer = new CompletableFuture<>();
            broker.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .createTopic(
                            CreateTopicRequest.newBuilder().setName("t" + i).build(), new Completing<>(answer));
            answers.add(answer);
        }

        // Every call reached the controller, though only two threads serve the broker's calls ...
        await().atMost(Duration.ofSeconds(30)).until(() -> held.size() == CALLS);
        // ... and those threads are free for other calls meanwhile.
        CompletableFuture<Object> metadata = new CompletableFuture<>();
        broker.withDeadlineAfter(30, TimeUnit.SECONDS)
                .metadata(MetadataRequest.getDefaultInstance(), new Completing<>(metadata));
        metadata.get(30, TimeUnit.SECONDS);

        for (StreamObserver<CreateTopicResponse> observer : held) {
            observer.onNext(CreateTopicResponse.newBuilder()
                    .setError(Error.newBuilder().setCode(ErrorCode.NONE))
                    .build());
            observer.onCompleted();
        }
        for (CompletableFuture<CreateTopicResponse> answer : answers) {
            assertEquals(
                    ErrorCode.NONE, answer.get(30, TimeUnit.SECONDS).getError().getCode());
        }
    }

    @Test
    void aCallWithoutAnIdempotencyKeyGetsOneAndAClientsKeyIsKept() throws Exception {
        controllers.connect(List.of(slowController()));
        BrokerServiceGrpc.BrokerServiceStub broker = broker();
        broker.createTopic(
                CreateTopicRequest.newBuilder().setName("keyless").build(),
                new Completing<>(new CompletableFuture<>()));
        broker.createTopic(
                CreateTopicRequest.newBuilder()
                        .setName("keyed")
                        .setIdempotencyKey("the-clients")
                        .build(),
                new Completing<>(new CompletableFuture<>()));
        await().atMost(Duration.ofSeconds(30)).until(() -> forwarded.size() == 2);
        Map<String, String> keys = forwarded.stream()
                .collect(Collectors.toMap(CreateTopicRequest::getName, CreateTopicRequest::getIdempotencyKey));
        assertFalse(keys.get("keyless").isEmpty());
        assertEquals("the-clients", keys.get("keyed"));
    }

    /** Completes a future with a unary call's answer. */
    private static final class Completing<T> implements StreamObserver<T> {
        private final CompletableFuture<? super T> answer;

        Completing(CompletableFuture<? super T> answer) {
            this.answer = answer;
        }

        @Override
        public void onNext(T value) {
            answer.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            answer.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {}
    }
}
