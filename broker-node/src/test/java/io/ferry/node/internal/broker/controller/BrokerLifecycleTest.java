package io.ferry.node.internal.broker.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.HostPort;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.internal.BrokerHealth;
import io.ferry.node.internal.RoleHealth;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.RegisterBrokerResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's session with the controllers against a scripted controller: heartbeats go on while a
 * metadata view is being applied, closing never interrupts an application (its log I/O), and the status
 * health judges tells a current view from a stale one by a hand-moved clock.
 */
class BrokerLifecycleTest {

    private static final long HEARTBEAT_MILLIS = 100;
    private static final long MAX_STALENESS_MILLIS = 5_000;
    private static final Endpoint ENDPOINT = Endpoint.newBuilder()
            .setName("BROKER")
            .setHost("127.0.0.1")
            .setPort(1)
            .build();

    private static final Set<Integer> VOTERS = Set.of(1, 2, 3);

    private final AtomicInteger heartbeats = new AtomicInteger();
    /** The unreachable brokers each heartbeat reported, in order. */
    private final List<List<Integer>> reports = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final AtomicLong nowMillis = new AtomicLong(1_000);
    /** Whether each poll finds a newer metadata version; an idle cluster's does not. */
    private volatile boolean metadataChanges = true;
    /** When set, FetchMetadata answers with this error. */
    private volatile ErrorCode fetchError;
    /** The max_wait_ms of each FetchMetadata received. */
    private final List<Integer> fetchWaits = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The active controller each heartbeat answer names; null names none. */
    private volatile Integer answeredActiveController = 1;
    /** The DescribeCluster requests received. */
    private final List<DescribeClusterRequest> describes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Server server;
    private ControllerGateway controllers;
    private BrokerLifecycle lifecycle;

    @TempDir
    Path dir;

    /** A controller that accepts the broker, keeps it unfenced, and has a newer metadata version at every poll. */
    @BeforeEach
    void startController() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ControllerServiceGrpc.ControllerServiceImplBase() {
                    @Override
                    public void registerBroker(
                            RegisterBrokerRequest request, StreamObserver<RegisterBrokerResponse> observer) {
                        observer.onNext(RegisterBrokerResponse.newBuilder()
                                .setMetadataVersion(1)
                                .build());
                        observer.onCompleted();
                    }

                    @Override
                    public void brokerHeartbeat(
                            BrokerHeartbeatRequest request, StreamObserver<BrokerHeartbeatResponse> observer) {
                        heartbeats.incrementAndGet();
                        reports.add(request.getUnreachableBrokersList());
                        BrokerHeartbeatResponse.Builder answer =
                                BrokerHeartbeatResponse.newBuilder().setFenced(false);
                        Integer active = answeredActiveController;
                        if (active != null) {
                            answer.setActiveControllerId(active);
                        }
                        observer.onNext(answer.build());
                        observer.onCompleted();
                    }

                    @Override
                    public void describeCluster(
                            DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
                        describes.add(request);
                        observer.onNext(DescribeClusterResponse.newBuilder()
                                .setControllerLeaderId(1)
                                .build());
                        observer.onCompleted();
                    }

                    @Override
                    public void fetchMetadata(
                            FetchMetadataRequest request, StreamObserver<FetchMetadataResponse> observer) {
                        fetchWaits.add(request.getMaxWaitMs());
                        ErrorCode error = fetchError;
                        observer.onNext(FetchMetadataResponse.newBuilder()
                                .setError(io.ferry.proto.v1.Error.newBuilder()
                                        .setCode(error == null ? ErrorCode.NONE : error)
                                        .setMessage("scripted"))
                                .setMetadataVersion(Math.max(1, request.getSinceVersion() + (metadataChanges ? 1 : 0)))
                                .build());
                        observer.onCompleted();
                    }
                })
                .build()
                .start();
        controllers = new ControllerGateway(fatalErrors.threads(), Optional.empty());
        controllers.connect(List.of(new HostPort(
                "127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort())));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (lifecycle != null) {
            lifecycle.close();
        }
        controllers.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private BrokerLifecycle start(Consumer<BrokerMetadata> onMetadata) {
        return start(onMetadata, HEARTBEAT_MILLIS);
    }

    private BrokerLifecycle start(Consumer<BrokerMetadata> onMetadata, long heartbeatMillis) {
        lifecycle = new BrokerLifecycle(
                7,
                controllers,
                VOTERS,
                heartbeatMillis,
                5_000,
                onMetadata,
                fatalErrors.threads(),
                () -> Instant.ofEpochMilli(nowMillis.get()));
        lifecycle.start(List.of(ENDPOINT));
        return lifecycle;
    }

    @Test
    void anErrorWhileApplyingMetadataGoesToTheFatalErrorHandler() {
        OutOfMemoryError injected = new OutOfMemoryError("injected into a metadata application");
        start(view -> {
            throw injected;
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fatalErrors
                        .recorded()
                        .contains(new RecordedFatalErrors.Recorded("ferry-broker-metadata", injected)));
        assertEquals(
                List.of("the broker's metadata thread stopped: " + injected),
                lifecycle.status().stoppedThreads());
    }

    @Test
    void aBrokerAReplicaFetchCouldNotReachIsReportedByAHeartbeatAtOnceAndOnlyOnce() {
        start(view -> {}, 3_600_000); // no periodic heartbeat after the first during the test
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() == 1);

        lifecycle.reportUnreachable(3);
        lifecycle.reportUnreachable(7); // itself: never reported
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() == 2);
        assertEquals(List.of(List.of(), List.of(3)), reports);

        lifecycle.reportUnreachable(3); // the next fetch failed too
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() == 3);
        assertEquals(List.of(3), reports.get(2));
    }

    @Test
    void metadataIsLongPolled() {
        start(view -> {});
        await().atMost(Duration.ofSeconds(10)).until(() -> fetchWaits.size() >= 3);
        // The controller holds each poll until it has something newer: no interval stands between a change and
        // the broker.
        assertTrue(
                fetchWaits.stream().allMatch(w -> w == BrokerLifecycle.METADATA_MAX_WAIT_MILLIS),
                fetchWaits.toString());
    }

    @Test
    void theActiveControllerIsLearnedFromHeartbeatsWithoutACallOfItsOwn() {
        start(view -> {});
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.activeControllerId() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() >= 3);
        // A second call per beat made a live broker's heartbeats about 1 s apart under load.
        assertEquals(List.of(), describes);
    }

    @Test
    void anActiveControllerThatIsNotAVoterIsNotBelieved() {
        start(view -> {}, 50);
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.activeControllerId() == 1);
        for (Integer hostile : java.util.Arrays.asList(-5, Integer.MIN_VALUE, Integer.MAX_VALUE, 9, null)) {
            answeredActiveController = hostile;
            int seen = heartbeats.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() > seen + 1);
            assertEquals(-1, lifecycle.activeControllerId(), "an answer naming " + hostile);
            answeredActiveController = 2;
            await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.activeControllerId() == 2);
        }
    }

    @Test
    void anIdleBrokerStaysCurrentAndHealthy() {
        metadataChanges = false;
        start(view -> {});
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.status().metadataCurrentAsOfMillis() == 1_000);
        nowMillis.set(60_000);
        // Nothing new arrives, but each poll that succeeds keeps the view current.
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.status().metadataCurrentAsOfMillis() == 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> health().healthy());
    }

    @Test
    void aViewIsPublishedForMetadataAnswersAsItsApplicationBegins() throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger applications = new AtomicInteger();
        start(view -> {
            if (applications.incrementAndGet() == 2) {
                blocked.countDown();
                awaitRelease(release);
            }
        });
        assertTrue(blocked.await(10, TimeUnit.SECONDS), "the second view was never applied");
        // Applying a view can take a minute (thousands of new logs): clients learn of it meanwhile.
        assertTrue(
                lifecycle.published().version() > lifecycle.metadata().version(),
                lifecycle.published().version() + " published, "
                        + lifecycle.metadata().version() + " applied");
        release.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        lifecycle.published().version() == lifecycle.metadata().version());
    }

    @Test
    void aBlockedMetadataApplicationMakesTheViewStale() throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger applications = new AtomicInteger();
        start(view -> {
            if (applications.incrementAndGet() == 2) {
                blocked.countDown();
                awaitRelease(release);
            }
        });
        assertTrue(blocked.await(10, TimeUnit.SECONDS), "the second view was never applied");
        // Polls follow each other at once, so the second view can arrive before the first heartbeat's answer.
        await().atMost(Duration.ofSeconds(10)).until(() -> !lifecycle.status().fenced());
        long asOf = lifecycle.status().metadataCurrentAsOfMillis();
        nowMillis.addAndGet(MAX_STALENESS_MILLIS + 1);
        RoleHealth stale = health();
        assertFalse(stale.healthy());
        assertTrue(
                stale.reason()
                        .startsWith("the metadata view has not been current for " + (nowMillis.get() - asOf)
                                + " ms, longer than broker.metadata.max.staleness.ms="),
                stale.reason());
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> health().healthy());
    }

    @Test
    void aFailingPollIsNamedOnceTheViewIsStale() {
        start(view -> {});
        await().atMost(Duration.ofSeconds(10)).until(() -> health().healthy());
        fetchError = ErrorCode.UNKNOWN_SERVER_ERROR;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lifecycle.status().metadataFailure().isPresent());
        nowMillis.addAndGet(MAX_STALENESS_MILLIS + 1);
        assertTrue(
                health().reason()
                        .endsWith("the last poll failed: FetchMetadata answered UNKNOWN_SERVER_ERROR: " + "scripted"),
                health().reason());
    }

    private RoleHealth health() {
        return BrokerHealth.of(lifecycle.status(), Map.of(), nowMillis.get(), MAX_STALENESS_MILLIS);
    }

    /** Holds a metadata application up until the test releases it. */
    private static void awaitRelease(CountDownLatch release) {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void heartbeatsGoOnWhileAMetadataViewIsBeingApplied() throws InterruptedException {
        CountDownLatch applying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(view -> {
            applying.countDown();
            awaitRelease(release);
        });
        assertTrue(applying.await(10, TimeUnit.SECONDS), "no metadata view was applied");
        int before = heartbeats.get();
        // A session timeout is a few heartbeat intervals; the application blocks for far longer.
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() >= before + 5);
        release.countDown();
    }

    @Test
    void closeWaitsForAnApplicationInProgressAndNeverInterruptsItsIo() throws Exception {
        CountDownLatch applying = new CountDownLatch(1);
        AtomicBoolean release = new AtomicBoolean();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        AtomicInteger applications = new AtomicInteger();
        try (FileChannel log =
                FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            start(view -> {
                if (applications.incrementAndGet() > 1) {
                    return;
                }
                applying.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!release.get() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                interrupted.set(Thread.currentThread().isInterrupted());
                try {
                    log.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            assertTrue(applying.await(10, TimeUnit.SECONDS), "no metadata view was applied");
            Thread closer = new Thread(lifecycle::close, "closer");
            closer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.BLOCKED);
            release.set(true);
            closer.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(closer.isAlive(), "close did not return once the application finished");
            assertEquals(Boolean.FALSE, interrupted.get(), "the application was interrupted");
            assertNull(writeFailure.get(), "the application's file write failed");
            assertTrue(log.isOpen(), "an interrupt closed the file channel");
            assertEquals(1, applications.get(), "a view was applied after close");
        }
    }
}
