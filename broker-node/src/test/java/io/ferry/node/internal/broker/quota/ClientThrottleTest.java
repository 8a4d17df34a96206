package io.ferry.node.internal.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.ProduceResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientThrottleTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ClientQuotaEntity busyApp = ClientQuotaEntity.newBuilder()
            .addComponents(ClientQuotaEntityComponent.newBuilder()
                    .setEntityType("client-id")
                    .setEntityName("busy"))
            .build();
    private final ClientQuotaEntity consumerApp = ClientQuotaEntity.newBuilder()
            .addComponents(ClientQuotaEntityComponent.newBuilder()
                    .setEntityType("client-id")
                    .setEntityName("reader"))
            .build();
    /** Two 1 s samples, at a clock that stands still at 0: a 1 s span, throttles of at most 2 s. */
    private final ClientThrottle throttle = new ClientThrottle(
            2,
            1_000,
            () -> Map.of(
                    consumerApp, Map.of("consumer_byte_rate", 1_000.0), busyApp, Map.of("request_percentage", 10.0)),
            () -> 0L,
            scheduler,
            registry);

    /** No request thread time. */
    private static final LongSupplier IDLE = () -> 0L;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static FetchResponse fetchOf(int bytes) {
        return FetchResponse.newBuilder()
                .addTopics(FetchTopicResult.newBuilder()
                        .addPartitions(
                                FetchPartitionResult.newBuilder().setRecords(ByteString.copyFrom(new byte[bytes]))))
                .build();
    }

    @Test
    void aFetchWithinTheQuotaIsAnsweredAtOnceAndOneOverItLaterWithItsThrottleTime() throws Exception {
        AtomicReference<FetchResponse> atOnce = new AtomicReference<>();
        throttle.fetched(new QuotaClient("ANONYMOUS", "reader"), IDLE, fetchOf(500), atOnce::set);
        assertEquals(0, atOnce.get().getThrottleTimeMs());

        // 500 + 1,500 bytes in a 1 s span is 2,000 B/s against 1,000: (2000 − 1000) / 1000 × 1 s = 1 s.
        CompletableFuture<FetchResponse> later = new CompletableFuture<>();
        throttle.fetched(new QuotaClient("ANONYMOUS", "reader"), IDLE, fetchOf(1_500 - 20), later::complete);
        FetchResponse delayed = later.get(10, TimeUnit.SECONDS);
        assertEquals(1_000, delayed.getThrottleTimeMs(), 20);
        // As Kafka: the throttled answer carries no records, and their bytes were taken back off the rate, so
        // the next small fetch is within the quota again (500 B in a 1 s span).
        assertTrue(delayed.getTopics(0).getPartitions(0).getRecords().isEmpty());
        AtomicReference<FetchResponse> next = new AtomicReference<>();
        throttle.fetched(new QuotaClient("ANONYMOUS", "reader"), IDLE, fetchOf(400), next::set);
        assertEquals(0, next.get().getThrottleTimeMs());
        assertEquals(400, next.get().getTopics(0).getPartitions(0).getRecords().size());
        assertEquals(
                1,
                registry.get("ferry.quota.throttle.time")
                        .tag("quota_type", "fetch")
                        .timer()
                        .count());
    }

    @Test
    void requestThreadTimeOverRequestPercentageIsThrottledForAtMostOneWindow() throws Exception {
        QuotaClient busy = new QuotaClient("ANONYMOUS", "busy");
        // 50 ms of thread time in a 1 s span is 5 % of a thread, within 10 %.
        AtomicReference<ProduceResponse> within = new AtomicReference<>();
        throttle.produced(busy, 10, () -> 50_000_000L, ProduceResponse.getDefaultInstance(), within::set);
        assertEquals(0, within.get().getThrottleTimeMs());
        // 50 + 100 ms is 15 %: (15 − 10) / 10 × 1 s = 500 ms.
        CompletableFuture<ProduceResponse> later = new CompletableFuture<>();
        throttle.produced(busy, 10, () -> 100_000_000L, ProduceResponse.getDefaultInstance(), later::complete);
        assertEquals(500, later.get(10, TimeUnit.SECONDS).getThrottleTimeMs());
        // Far over: 2 s more is 215 %, which would be 20.5 s; a request-time throttle lasts one window at most.
        CompletableFuture<FetchResponse> capped = new CompletableFuture<>();
        throttle.fetched(busy, () -> 2_000_000_000L, fetchOf(1), capped::complete);
        assertEquals(1_000, capped.get(10, TimeUnit.SECONDS).getThrottleTimeMs());
        assertEquals(
                2,
                registry.get("ferry.quota.throttle.time")
                        .tag("quota_type", "request")
                        .timer()
                        .count());
    }

    @Test
    void anotherClientAndAnotherQuotaTypeAreNotThrottled() {
        AtomicReference<FetchResponse> fetched = new AtomicReference<>();
        throttle.fetched(new QuotaClient("ANONYMOUS", "other"), IDLE, fetchOf(100_000), fetched::set);
        assertEquals(0, fetched.get().getThrottleTimeMs());
        AtomicReference<ProduceResponse> produced = new AtomicReference<>();
        throttle.produced(
                new QuotaClient("ANONYMOUS", "reader"),
                100_000,
                IDLE,
                ProduceResponse.getDefaultInstance(),
                produced::set);
        assertEquals(0, produced.get().getThrottleTimeMs());
        assertEquals(
                0,
                registry.get("ferry.quota.throttle.time")
                        .tag("quota_type", "produce")
                        .timer()
                        .count());
    }
}
