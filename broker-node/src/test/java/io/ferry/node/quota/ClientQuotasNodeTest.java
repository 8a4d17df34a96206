package io.ferry.node.quota;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.broker.PublishTestSupport;
import io.ferry.node.internal.broker.quota.RequestTimeQuota;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaFilterComponent;
import io.ferry.proto.v1.ClientQuotaMatchType;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client quotas through a real node: altered and described through the broker (forwarded to the controller),
 * and a produce quota enforced by delaying the responses of the client over it, and of no other client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientQuotasNodeTest {

    @TempDir
    static Path dir;

    private FerryNode node;
    private FerryAdmin admin;
    private ManagedChannel channel;

    /** The flooding client's quota: 100 KiB/s. */
    private static final double QUOTA = 100 * 1024;
    /** Produce requests the flooding client keeps in flight. */
    private static final int FLOOD_IN_FLIGHT = 4;
    /** acks=all sends the steady client times, alone and then beside the flood. */
    private static final int STEADY_SENDS = 150;

    @BeforeAll
    void startNode() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        // A measured span of two 1 s windows: throttling starts after a burst of one second's quota.
        settings.add("quota.window.num=2");
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        channel = BrokerTestSupport.channel(node);
        admin = new FerryAdmin(AdminConfig.of(Map.of(
                "bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort(), "request.timeout.ms", "10000")));
    }

    @AfterAll
    void stopNode() throws InterruptedException {
        admin.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    static ClientQuotaEntity user(String name) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(ClientQuotaEntityComponent.newBuilder()
                        .setEntityType("user")
                        .setEntityName(name))
                .build();
    }

    static ClientQuotaAlteration set(ClientQuotaEntity entity, String key, double value) {
        return ClientQuotaAlteration.newBuilder()
                .setEntity(entity)
                .addOps(ClientQuotaOp.newBuilder().setKey(key).setValue(value))
                .build();
    }

    private List<DescribeClientQuotasEntry> describeUser(String name) {
        return admin.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(ClientQuotaFilterComponent.newBuilder()
                        .setEntityType("user")
                        .setMatchType(ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT)
                        .setMatch(name))
                .build());
    }

    @Test
    void aClientOverItsProduceQuotaIsDelayedAndAnotherClientIsNot() throws Exception {
        BrokerTestSupport.createTopic(channel, "flood", 1, Map.of());
        BrokerTestSupport.createTopic(channel, "steady", 1, Map.of());
        admin.alterClientQuotas(List.of(set(clientId("flooder"), "producer_byte_rate", QUOTA)), false);
        awaitTheBrokerAtTheControllersVersion();
        BrokerServiceGrpc.BrokerServiceBlockingStub steady = stubFor("steady");
        steadySends(steady, STEADY_SENDS / 3); // warm-up
        List<Long> alone = steadySends(steady, STEADY_SENDS);

        Flood flood = new Flood(BrokerServiceGrpc.newStub(channel).withInterceptors(clientIdHeader("flooder")));
        flood.start();
        List<Long> beside = steadySends(steady, STEADY_SENDS);
        flood.stop();

        // (a) The flooding client was throttled, and what it got acknowledged stays near its quota: at most
        // twice the quota over the time it ran, plus the burst the measured span allows and what was in flight.
        assertTrue(flood.maxThrottleMs.get() > 0, "the flooding client was never throttled");
        double elapsedSeconds = flood.elapsedNanos / 1e9;
        double allowance = QUOTA * 2 + FLOOD_IN_FLIGHT * (double) FLOOD_BATCH.remaining();
        double ratio = flood.ackedBytes.get() / (QUOTA * elapsedSeconds + allowance);
        assertTrue(
                ratio <= 2,
                "acknowledged " + flood.ackedBytes.get() + " bytes in " + elapsedSeconds + " s, " + ratio
                        + " times the quota's share");
        // (b) The other client was never throttled, and its acks=all latency stayed near what it was alone.
        double medianAlone = median(alone);
        double medianBeside = median(beside);
        assertTrue(
                medianBeside <= 3 * medianAlone,
                "median acks=all latency " + medianBeside + " ns beside the flood, " + medianAlone + " ns alone");
    }

    @Test
    void publishCountsAgainstTheProduceQuotaAndItsAnswersAreHeldBack() throws Exception {
        BrokerTestSupport.createTopic(channel, "published", 1, Map.of());
        admin.alterClientQuotas(List.of(set(clientId("publisher"), "producer_byte_rate", 1_000)), false);
        awaitTheBrokerAtTheControllersVersion();
        Timer throttled = node.meterRegistry()
                .find("ferry.quota.throttle.time")
                .tag("quota_type", "produce")
                .timer();
        long before = throttled.count();
        RecordServiceGrpc.RecordServiceBlockingStub publisher =
                RecordServiceGrpc.newBlockingStub(channel).withInterceptors(clientIdHeader("publisher"));
        PublishRequest request =
                PublishTestSupport.request("published", Acks.ACKS_LEADER, PublishTestSupport.value("p".repeat(3_000)));
        for (int i = 0; i < 3; i++) {
            PublishResponse answered =
                    publisher.withDeadlineAfter(30, TimeUnit.SECONDS).publish(request);
            assertFalse(answered.getResults(0).hasError(), answered.toString());
        }
        assertTrue(throttled.count() > before, "9 KB published at a 1,000 B/s quota were never throttled");
    }

    private static final ByteBuffer FLOOD_BATCH = BrokerTestSupport.batch("f".repeat(1_000), 32);

    /** One client producing to "flood" as fast as the broker answers, {@link #FLOOD_IN_FLIGHT} requests at a time. */
    private static final class Flood {
        final AtomicLong ackedBytes = new AtomicLong();
        final AtomicInteger maxThrottleMs = new AtomicInteger();
        final Semaphore slots = new Semaphore(FLOOD_IN_FLIGHT);
        final AtomicBoolean stopped = new AtomicBoolean();
        final BrokerServiceGrpc.BrokerServiceStub stub;
        final Thread sender = new Thread(this::run, "flood");
        final ProduceRequest request;
        long startNanos;
        long elapsedNanos;

        Flood(BrokerServiceGrpc.BrokerServiceStub stub) {
            this.stub = stub;
            this.request = BrokerTestSupport.produceRequest(1, Acks.ACKS_LEADER, "flood", 0, FLOOD_BATCH);
        }

        void start() {
            startNanos = System.nanoTime();
            sender.start();
        }

        private void run() {
            try {
                while (!stopped.get()) {
                    if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).produce(request, new StreamObserver<>() {
                        @Override
                        public void onNext(ProduceResponse response) {
                            if (response.getTopics(0)
                                            .getPartitions(0)
                                            .getError()
                                            .getCode()
                                    == ErrorCode.NONE) {
                                ackedBytes.addAndGet(request.getSerializedSize());
                            }
                            maxThrottleMs.accumulateAndGet(response.getThrottleTimeMs(), Math::max);
                        }

                        @Override
                        public void onError(Throwable t) {
                            slots.release();
                        }

                        @Override
                        public void onCompleted() {
                            slots.release();
                        }
                    });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops sending, and waits for every request in flight to be answered. */
        void stop() throws InterruptedException {
            stopped.set(true);
            sender.join();
            assertTrue(slots.tryAcquire(FLOOD_IN_FLIGHT, 60, TimeUnit.SECONDS), "flood requests unanswered");
            elapsedNanos = System.nanoTime() - startNanos;
        }
    }

    /** Sends acks=all produce requests one after another; each one's latency in nanoseconds. */
    private static List<Long> steadySends(BrokerServiceGrpc.BrokerServiceBlockingStub stub, int count) {
        ProduceRequest request =
                BrokerTestSupport.produceRequest(1, Acks.ACKS_ALL, "steady", 0, BrokerTestSupport.batch("s", 10));
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            ProduceResponse response =
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).produce(request);
            latencies.add(System.nanoTime() - start);
            assertEquals(
                    ErrorCode.NONE,
                    response.getTopics(0).getPartitions(0).getError().getCode());
            assertEquals(0, response.getThrottleTimeMs(), "the client without a quota was throttled");
        }
        return latencies;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private BrokerServiceGrpc.BrokerServiceBlockingStub stubFor(String clientId) {
        return BrokerServiceGrpc.newBlockingStub(channel).withInterceptors(clientIdHeader(clientId));
    }

    private static ClientInterceptor clientIdHeader(String clientId) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("ferry-client-id", Metadata.ASCII_STRING_MARSHALLER), clientId);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** Waits until the broker's metadata view holds every quota change the controller answered so far. */
    private void awaitTheBrokerAtTheControllersVersion() {
        long version = BrokerServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .describeClientQuotas(DescribeClientQuotasRequest.getDefaultInstance())
                .getMetadataVersion();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> BrokerServiceGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(30, TimeUnit.SECONDS)
                                .metadata(MetadataRequest.getDefaultInstance())
                                .getMetadataVersion()
                        >= version);
    }

    static ClientQuotaEntity clientId(String name) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(ClientQuotaEntityComponent.newBuilder()
                        .setEntityType("client-id")
                        .setEntityName(name))
                .build();
    }

    @Test
    void aProduceStreamOverItsQuotaIsAnsweredInFullWithThrottleTimes() throws Exception {
        BrokerTestSupport.createTopic(channel, "streamed", 1, Map.of());
        admin.alterClientQuotas(List.of(set(clientId("streamer"), "producer_byte_rate", 512 * 1024)), false);
        awaitTheBrokerAtTheControllersVersion();
        int requests = 40;
        List<ProduceResponse> responses = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ProduceRequest> stream = BrokerServiceGrpc.newStub(channel)
                .withInterceptors(clientIdHeader("streamer"))
                .withDeadlineAfter(2, TimeUnit.MINUTES)
                .produceStream(new StreamObserver<>() {
                    @Override
                    public void onNext(ProduceResponse response) {
                        responses.add(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (int i = 0; i < requests; i++) {
            stream.onNext(BrokerTestSupport.produceRequest(i, Acks.ACKS_LEADER, "streamed", 0, FLOOD_BATCH));
        }
        stream.onCompleted();
        done.get(2, TimeUnit.MINUTES);

        assertEquals(requests, responses.size(), "every request is answered, none dropped");
        assertTrue(responses.stream()
                .allMatch(r -> r.getTopics(0).getPartitions(0).getError().getCode() == ErrorCode.NONE));
        assertTrue(responses.stream().anyMatch(r -> r.getThrottleTimeMs() > 0), "no response was throttled");
    }

    @Test
    void callsOverTheRequestQuotaEndLaterWithTheirThrottleTimeAndAnotherClientsDoNot() {
        // 0.01% of one thread: 100 µs per second, which a few Metadata calls use up.
        admin.alterClientQuotas(List.of(set(clientId("chatty"), "request_percentage", 0.01)), false);
        awaitTheBrokerAtTheControllersVersion();
        int throttledAt = -1;
        for (int i = 0; i < 500 && throttledAt < 0; i++) {
            if (throttleTrailer(stubFor("chatty")) != null) {
                throttledAt = i;
            }
        }
        assertTrue(throttledAt >= 0, "500 Metadata calls of a client over request_percentage were never held back");
        for (int i = 0; i < 20; i++) {
            assertNull(throttleTrailer(stubFor("unlimited")), "a client without a quota was held back");
        }
    }

    /** The throttle-time trailer of one Metadata call through {@code stub}, null when it had none. */
    private static String throttleTrailer(BrokerServiceGrpc.BrokerServiceBlockingStub stub) {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        stub.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .metadata(MetadataRequest.getDefaultInstance());
        return trailers.get().get(Metadata.Key.of(RequestTimeQuota.TRAILER, Metadata.ASCII_STRING_MARSHALLER));
    }

    @Test
    void aClientIdLongerThanTheLimitIsRefusedNamingTheHeader() {
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class,
                () -> stubFor("x".repeat(1025))
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .metadata(MetadataRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().startsWith("the ferry-client-id header has 1025 characters"));
    }

    @Test
    void quotasAreAlteredValidatedAndDescribedThroughTheBroker() {
        admin.alterClientQuotas(List.of(set(user("dry"), "producer_byte_rate", 1024)), true);
        assertEquals(List.of(), describeUser("dry"));

        admin.alterClientQuotas(List.of(set(user("alice"), "producer_byte_rate", 1024)), false);
        List<DescribeClientQuotasEntry> described = describeUser("alice");
        assertEquals(1, described.size());
        assertEquals(user("alice"), described.get(0).getEntity());
        assertEquals(Map.of("producer_byte_rate", 1024.0), described.get(0).getValuesMap());

        FerryException refused = assertThrows(
                FerryException.class,
                () -> admin.alterClientQuotas(List.of(set(user("alice"), "producer_byte_rate", -1)), false));
        assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
        assertTrue(
                refused.getMessage().startsWith("entries[0].ops[0]: value of producer_byte_rate"),
                refused.getMessage());
    }
}
