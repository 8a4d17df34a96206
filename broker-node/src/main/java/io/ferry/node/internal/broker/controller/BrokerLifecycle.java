package io.ferry.node.internal.broker.controller;

import io.ferry.node.internal.broker.controller.ControllerGateway.ControllerUnavailableException;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControlledShutdownResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.RegisterBrokerResponse;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's session with the controller quorum: register (with a fresh incarnation id per
 * process start), heartbeat every {@code broker.heartbeat.interval.ms}, poll FetchMetadata from the
 * version applied so far and hand each new view to {@code onMetadata}, and at shutdown ask for a
 * controlled shutdown until the broker leads nothing or the time is up.
 *
 * <p>Two threads split it. {@code ferry-broker-heartbeat} owns the session: registration, heartbeats
 * and controlled shutdown. {@code ferry-broker-metadata} owns the metadata view: it polls and hands
 * each view to {@code onMetadata}, which creates, truncates and deletes logs and may take a while; on
 * its own thread that never delays a heartbeat past {@code broker.session.timeout.ms}, which would fence
 * a healthy broker and move its leaderships. Other threads read the published {@link #metadata()} and
 * {@link #status()}.
 *
 * <p>{@link #close()} interrupts both threads to cut short their calls to the controller, but never
 * while {@code onMetadata} runs: an interrupt during a {@code FileChannel} operation closes the
 * channel, which would leave a log unusable.
 */
public final class BrokerLifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);

    /**
     * How long a metadata poll may be held by the controller while it has nothing newer (a long poll: the
     * controller answers as soon as it applies a change, so a new topic or a fencing reaches the broker at
     * once). The next poll follows the answer at once.
     */
    static final int METADATA_MAX_WAIT_MILLIS = 500;

    /** The pause after a metadata poll that failed, before the next. */
    static final long METADATA_RETRY_MILLIS = 100;

    /** An application of a view that takes this long is logged: requests wait on views being current. */
    private static final long SLOW_APPLY_MILLIS = 500;

    private final int brokerId;
    private final String incarnationId = UUID.randomUUID().toString();
    private final ControllerGateway controllers;
    /** The node ids of {@code controller.quorum.voters}: the only ids a heartbeat answer may name as active. */
    private final Set<Integer> controllerIds;

    private final long heartbeatIntervalMillis;
    private final long requestTimeoutMillis;
    private final Consumer<BrokerMetadata> onMetadata;
    private final InstantSource clock;
    private final ScheduledExecutorService heartbeatThread;
    private final ScheduledExecutorService metadataThread;
    /** Held while {@code onMetadata} runs; {@link #close()} takes it before interrupting. */
    private final Object applying = new Object();

    /** Set by {@link #start}, before the threads run. */
    private List<Endpoint> endpoints = List.of();
    /** Written by the heartbeat thread. */
    private volatile boolean registered;
    /** Guarded by {@link #applying}. */
    private boolean closed;

    private volatile boolean fenced = true;
    private volatile BrokerMetadata metadata = BrokerMetadata.EMPTY;
    /** The view being applied or, once done, the applied one; see {@link #published()}. */
    private volatile BrokerMetadata published = BrokerMetadata.EMPTY;

    private volatile boolean metadataLoaded;
    /** When the last poll that succeeded (its view, if new, applied) began, in clock millis; -1 before one. */
    private volatile long metadataCurrentAsOfMillis = -1;
    /** Why the latest poll failed; null once one succeeds. */
    private volatile String metadataFailure;

    private volatile int activeControllerId = -1;
    /** Brokers a replica fetch could not reach, not yet reported in a heartbeat that was answered. */
    private final Set<Integer> unreachable = ConcurrentHashMap.newKeySet();
    /** The two periodic tasks: done only if one ended by throwing (or at close). */
    private volatile Future<?> heartbeatTask;

    private volatile Future<?> metadataTask;

    /**
     * The session as health judges it, at one moment.
     *
     * @param metadataCurrentAsOfMillis when the last successful poll began, -1 before the first (clock millis)
     * @param metadataFailure           why the latest poll failed, if it did
     * @param stoppedThreads            for each of the two threads whose periodic task has ended, why
     */
    public record Status(
            boolean registered,
            boolean fenced,
            long metadataCurrentAsOfMillis,
            Optional<String> metadataFailure,
            List<String> stoppedThreads) {}

    /**
     * A session not started yet: its view is {@link BrokerMetadata#EMPTY}, its incarnation id fixed.
     *
     * @param controllerIds the node ids of {@code controller.quorum.voters}
     * @param onMetadata called on the metadata thread with each newer view, before it is published
     * @param threads    makes the heartbeat and metadata threads
     * @param clock      times the metadata polls, for {@link Status#metadataCurrentAsOfMillis()}
     */
    public BrokerLifecycle(
            int brokerId,
            ControllerGateway controllers,
            Set<Integer> controllerIds,
            long heartbeatIntervalMillis,
            long requestTimeoutMillis,
            Consumer<BrokerMetadata> onMetadata,
            NodeThreads threads,
            InstantSource clock) {
        this.brokerId = brokerId;
        this.controllers = controllers;
        this.controllerIds = Set.copyOf(controllerIds);
        this.heartbeatIntervalMillis = heartbeatIntervalMillis;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.onMetadata = onMetadata;
        this.clock = clock;
        this.heartbeatThread = threads.scheduled("ferry-broker-heartbeat", 1);
        this.metadataThread = threads.scheduled("ferry-broker-metadata", 1);
    }

    /**
     * Registers with {@code endpoints} and starts both threads; once only.
     *
     * @param endpoints the broker's listeners as clients and other brokers reach them
     */
    public void start(List<Endpoint> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        log.info(
                "Broker {} registers with incarnation {} at {}",
                brokerId,
                incarnationId,
                endpoints.stream()
                        .map(e -> e.getName() + " " + e.getHost() + ":" + e.getPort())
                        .toList());
        heartbeatTask = heartbeatThread.scheduleWithFixedDelay(
                this::heartbeatQuietly, 0, heartbeatIntervalMillis, TimeUnit.MILLISECONDS);
        metadataTask = metadataThread.scheduleWithFixedDelay(this::longPollMetadata, 0, 1, TimeUnit.MILLISECONDS);
    }

    public BrokerMetadata metadata() {
        return metadata;
    }

    /**
     * The newest view, published as its application begins, so Metadata answers name a new topic while this
     * broker still opens its logs (as Kafka's broker updates its metadata cache before its replica manager
     * applies the image): opening 10,000 new logs took over a minute, longer than a producer waits for a topic
     * to appear. Requests to the partitions it does not host yet are answered with retriable errors meanwhile.
     */
    public BrokerMetadata published() {
        return published;
    }

    public int brokerId() {
        return brokerId;
    }

    /** This process's registration identity: requests made on the broker's behalf carry it. */
    public String incarnationId() {
        return incarnationId;
    }

    /** The session now. Thread-safe. */
    public Status status() {
        List<String> stopped = new ArrayList<>();
        stopped("heartbeat", heartbeatTask).ifPresent(stopped::add);
        stopped("metadata", metadataTask).ifPresent(stopped::add);
        return new Status(registered, fenced, metadataCurrentAsOfMillis, Optional.ofNullable(metadataFailure), stopped);
    }

    /** Why the periodic task of thread {@code name} ended, if it has; null before {@link #start}. */
    private static Optional<String> stopped(String name, Future<?> task) {
        if (task == null || !task.isDone()) {
            return Optional.empty();
        }
        String why;
        try {
            task.get();
            why = "";
        } catch (ExecutionException e) {
            why = ": " + e.getCause();
        } catch (CancellationException e) {
            why = " (closed)";
        } catch (InterruptedException e) {
            // Not for a done task; keep the flag for the caller.
            Thread.currentThread().interrupt();
            why = "";
        }
        return Optional.of("the broker's " + name + " thread stopped" + why);
    }

    /** The Raft leader of the controller quorum as last reported with a heartbeat; -1 if unknown. */
    public int activeControllerId() {
        return activeControllerId;
    }

    /**
     * A replica fetch could not reach broker {@code id}: a heartbeat goes now and reports it, so the active
     * controller probes it at once rather than when its own heartbeats are late (a leader killed with its
     * followers fetching is seen within a fetch). Reported again by each heartbeat after a later failure.
     * Thread-safe.
     */
    public void reportUnreachable(int id) {
        if (id != brokerId && unreachable.add(id) && registered) {
            try {
                heartbeatThread.execute(() -> quietly(this::heartbeat));
            } catch (RejectedExecutionException e) {
                // Closed: nothing to report to.
            }
        }
    }

    /** Polls metadata now instead of at the next tick (after an admin call changed it). */
    public void pollSoon() {
        metadataThread.execute(() -> pollMetadataQuietly(0));
    }

    /** Calls to the controllers made on the heartbeat thread; a failure is logged, the loop goes on. */
    @FunctionalInterface
    private interface ControllerCalls {
        void run() throws ControllerUnavailableException;
    }

    private void heartbeatQuietly() {
        quietly(() -> {
            if (!registered) {
                register();
            } else {
                heartbeat();
            }
        });
    }

    private void quietly(ControllerCalls calls) {
        try {
            calls.run();
        } catch (ControllerUnavailableException e) {
            log.warn("Broker {}: {}", brokerId, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Broker {} heartbeat failed", brokerId, e);
        }
    }

    private void register() throws ControllerUnavailableException {
        RegisterBrokerRequest request = RegisterBrokerRequest.newBuilder()
                .setBrokerId(brokerId)
                .setIncarnationId(incarnationId)
                .addAllEndpoints(endpoints)
                .build();
        RegisterBrokerResponse response = await(
                "RegisterBroker",
                (stub, answer) -> stub.registerBroker(request, answer),
                RegisterBrokerResponse::getError,
                requestTimeoutMillis);
        if (response.getError().getCode() == ErrorCode.NONE) {
            registered = true;
            log.info("Broker {} registered (metadata version {})", brokerId, response.getMetadataVersion());
            heartbeat();
        } else {
            log.warn(
                    "Broker {} registration refused: {} {}",
                    brokerId,
                    response.getError().getCode(),
                    response.getError().getMessage());
        }
    }

    private void heartbeat() throws ControllerUnavailableException {
        List<Integer> reported = List.copyOf(unreachable);
        BrokerHeartbeatRequest request = BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(brokerId)
                .setIncarnationId(incarnationId)
                .setMetadataVersion(metadata.version())
                .addAllUnreachableBrokers(reported)
                .build();
        BrokerHeartbeatResponse response = await(
                "BrokerHeartbeat",
                (stub, answer) -> stub.brokerHeartbeat(request, answer),
                BrokerHeartbeatResponse::getError,
                requestTimeoutMillis);
        reported.forEach(unreachable::remove);
        // One call per beat: under load each took about 250 ms, and a second one (DescribeCluster) made a live
        // broker's heartbeats about 1 s apart, late enough to be probed.
        activeControllerId = activeControllerOf(response);
        ErrorCode code = response.getError().getCode();
        if (code == ErrorCode.UNKNOWN_BROKER || code == ErrorCode.DUPLICATE_BROKER_REGISTRATION) {
            log.warn(
                    "Broker {} must register again: {}",
                    brokerId,
                    response.getError().getMessage());
            registered = false;
            fenced = true;
            return;
        }
        boolean wasFenced = fenced;
        fenced = code != ErrorCode.NONE || response.getFenced();
        if (wasFenced != fenced) {
            log.info("Broker {} is now {}", brokerId, fenced ? "fenced" : "unfenced");
        }
    }

    /**
     * The active controller a heartbeat answer names, or -1 when it names none or an id that is not a voter: the id
     * goes to clients in Metadata answers, so only a voter's is believed.
     */
    private int activeControllerOf(BrokerHeartbeatResponse response) {
        if (!response.hasActiveControllerId()) {
            return -1;
        }
        int id = response.getActiveControllerId();
        if (!controllerIds.contains(id)) {
            log.warn(
                    "Broker {}: a heartbeat answer named {} the active controller, not one of the voters {}",
                    brokerId,
                    id,
                    controllerIds);
            return -1;
        }
        return id;
    }

    /** The periodic poll: held by the controller until there is something new; a failed one pauses first. */
    private void longPollMetadata() {
        if (!pollMetadataQuietly(METADATA_MAX_WAIT_MILLIS)) {
            try {
                Thread.sleep(METADATA_RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One poll, which the controller may hold up to {@code maxWaitMillis} while it has nothing newer. A poll
     * that succeeds makes the view current as of its start, whether or not it brought anything new: an idle
     * broker stays current.
     *
     * @return whether it succeeded
     */
    private boolean pollMetadataQuietly(int maxWaitMillis) {
        long startedMillis = clock.millis();
        try {
            FetchMetadataRequest request = FetchMetadataRequest.newBuilder()
                    .setSinceVersion(metadata.version())
                    .setMaxWaitMs(maxWaitMillis)
                    .build();
            FetchMetadataResponse response = await(
                    "FetchMetadata",
                    (stub, answer) -> stub.fetchMetadata(request, answer),
                    FetchMetadataResponse::getError,
                    requestTimeoutMillis + maxWaitMillis);
            if (response.getError().getCode() != ErrorCode.NONE) {
                metadataFailure =
                        "FetchMetadata answered " + response.getError().getCode() + ": "
                                + response.getError().getMessage();
                log.warn(
                        "Broker {} metadata fetch failed: {}",
                        brokerId,
                        response.getError().getMessage());
                return false;
            }
            BrokerMetadata next = metadata.apply(response);
            if (next != metadata || !metadataLoaded) {
                long applyStartedNanos = System.nanoTime();
                synchronized (applying) {
                    if (closed) {
                        return true;
                    }
                    published = next;
                    onMetadata.accept(next);
                }
                long applyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - applyStartedNanos);
                if (applyMillis >= SLOW_APPLY_MILLIS) {
                    log.info(
                            "Broker {} took {} ms to apply metadata version {} (from {})",
                            brokerId,
                            applyMillis,
                            next.version(),
                            metadata.version());
                }
                metadata = next;
                metadataLoaded = true;
            }
            metadataCurrentAsOfMillis = startedMillis;
            metadataFailure = null;
            return true;
        } catch (ControllerUnavailableException e) {
            metadataFailure = e.getMessage();
            log.warn("Broker {}: {}", brokerId, e.getMessage());
        } catch (RuntimeException e) {
            metadataFailure = "applying it failed: " + e;
            log.warn("Broker {} failed to apply metadata", brokerId, e);
        }
        return false;
    }

    /**
     * Asks the controllers to move every leadership away and fence this broker, repeating until none
     * remains or {@code timeoutMillis} passes; then applies the resulting metadata so that requests in
     * flight are answered NOT_LEADER with the new leader.
     *
     * @return whether the broker ended up leading nothing
     */
    public boolean controlledShutdown(long timeoutMillis) {
        Future<Boolean> done = heartbeatThread.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (registered && System.nanoTime() < deadline) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                ControlledShutdownRequest request = ControlledShutdownRequest.newBuilder()
                        .setBrokerId(brokerId)
                        .setIncarnationId(incarnationId)
                        .build();
                ControlledShutdownResponse response = await(
                        "ControlledShutdown",
                        (stub, answer) -> stub.controlledShutdown(request, answer),
                        ControlledShutdownResponse::getError,
                        Math.max(1, left));
                if (response.getError().getCode() == ErrorCode.NONE && response.getRemainingLeaderships() == 0) {
                    metadataThread.submit(() -> pollMetadataQuietly(0)).get();
                    return true;
                }
                log.info(
                        "Controlled shutdown of broker {}: {} leaderships remain ({})",
                        brokerId,
                        response.getRemainingLeaderships(),
                        response.getError().getCode());
                Thread.sleep(ControllerGateway.RETRY_BACKOFF_MILLIS);
            }
            return !registered;
        });
        try {
            return done.get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            log.warn(
                    "Controlled shutdown of broker {} failed: {}",
                    brokerId,
                    e.getCause().getMessage());
        } catch (TimeoutException e) {
            log.warn("Controlled shutdown of broker {} did not finish within {} ms", brokerId, timeoutMillis);
            done.cancel(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * A call to the controllers that this session's own thread waits for (an interrupt at {@link #close}
     * cuts the wait short).
     */
    private <R> R await(String what, ControllerGateway.Rpc<R> rpc, Function<R, Error> errorOf, long timeoutMillis)
            throws ControllerUnavailableException {
        try {
            return controllers.call(what, rpc, errorOf, timeoutMillis).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ControllerUnavailableException unavailable) {
                throw unavailable;
            }
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControllerUnavailableException(what + " was interrupted");
        }
    }

    /** Stops both threads; waits for a metadata application in progress to finish first. */
    @Override
    public void close() {
        synchronized (applying) {
            closed = true;
        }
        heartbeatThread.shutdownNow();
        metadataThread.shutdownNow();
        try {
            heartbeatThread.awaitTermination(5, TimeUnit.SECONDS);
            metadataThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
