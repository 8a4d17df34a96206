package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.FerryTransportException;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a {@link ClusterView} fresh: fetches metadata for the topics a client uses from any known
 * broker (bootstrap servers first, then the brokers the metadata names), at most one fetch at a
 * time, at least {@code retryBackoffMs} apart, and again every {@code maxAgeMs}.
 *
 * <p>Thread-safe. Fetches run on one scheduler thread; {@link #view()} is a volatile read; refresh
 * state is guarded by this object's monitor, which waiters also wait on.
 */
public final class MetadataManager implements AutoCloseable {

    private final List<InetSocketAddress> bootstrap;
    private final Channels channels;
    private final long retryBackoffMs;
    private final long requestTimeoutMs;
    private final Runnable onUpdate;
    private final ScheduledExecutorService scheduler;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();

    private volatile ClusterView view = ClusterView.EMPTY;

    // Guarded by this.
    private boolean fetchScheduled;
    private boolean updateRequested;
    private long lastAttemptNanos;
    private long updates;
    private int nextNode;
    private Throwable lastError;
    /**
     * Set when the last metadata request failed because the broker refused this client's password, cleared by
     * the next answer; guarded by this.
     */
    private FerryException authenticationFailure;

    private boolean closed;

    /**
     * @param onUpdate run after each successful update, on the scheduler thread; must not block
     */
    public MetadataManager(
            List<InetSocketAddress> bootstrap,
            Channels channels,
            long retryBackoffMs,
            long requestTimeoutMs,
            long maxAgeMs,
            String threadName,
            Runnable onUpdate) {
        this.bootstrap = List.copyOf(bootstrap);
        this.channels = channels;
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.onUpdate = onUpdate;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.lastAttemptNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(retryBackoffMs);
        if (maxAgeMs > 0) {
            scheduler.scheduleWithFixedDelay(this::requestUpdate, maxAgeMs, maxAgeMs, TimeUnit.MILLISECONDS);
        }
    }

    public ClusterView view() {
        return view;
    }

    /** Adds a topic to those fetched; fetches now when it is new. */
    public void addTopic(String topic) {
        if (topics.add(topic)) {
            requestUpdate();
        }
    }

    /** Asks for a fetch as soon as the backoff allows; coalesces with one already pending. */
    public synchronized void requestUpdate() {
        updateRequested = true;
        if (!fetchScheduled && !closed) {
            fetchScheduled = true;
            long waitNanos = lastAttemptNanos + TimeUnit.MILLISECONDS.toNanos(retryBackoffMs) - System.nanoTime();
            scheduler.schedule(this::fetch, Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Waits until the view knows {@code topic}'s partitions.
     *
     * @throws FerryTimeoutException when the deadline passes first
     * @throws FerryException        when the metadata names a non-retriable error for the topic
     */
    public ClusterView awaitTopic(String topic, long deadlineNanos, long maxWaitMs) {
        addTopic(topic);
        while (true) {
            ClusterView current = view;
            if (current.partitionCount(topic) > 0) {
                return current;
            }
            Error error = current.topicError(topic);
            if (error != null && !ErrorCodes.isRetriable(error.getCode())) {
                throw new FerryException(error.getCode(), error.getMessage());
            }
            long seen;
            synchronized (this) {
                seen = updates;
                requestUpdate();
                waitForUpdate(seen, deadlineNanos);
            }
            if (System.nanoTime() - deadlineNanos >= 0 && view.partitionCount(topic) <= 0) {
                throw new FerryTimeoutException("Topic " + topic + " not present in metadata after " + maxWaitMs + " ms"
                        + describe(view.topicError(topic)));
            }
        }
    }

    /**
     * Fetches now (after the backoff) and waits for the next successful update.
     *
     * @throws FerryTimeoutException when the deadline passes first
     */
    public ClusterView awaitUpdate(long deadlineNanos) {
        synchronized (this) {
            long seen = updates;
            requestUpdate();
            while (updates == seen) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw new FerryTimeoutException(
                            "Timed out waiting for cluster metadata"
                                    + (lastError == null ? "" : "; last error: " + lastError.getMessage()),
                            lastError);
                }
                waitForUpdate(seen, deadlineNanos);
            }
        }
        return view;
    }

    private void waitForUpdate(long seen, long deadlineNanos) {
        if (authenticationFailure != null) {
            throw authenticationFailure;
        }
        long waitNanos = deadlineNanos - System.nanoTime();
        if (updates != seen || waitNanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
        } catch (InterruptedException e) {
            throw new FerryInterruptedException("interrupted while waiting for metadata", e);
        }
    }

    private static String describe(Error error) {
        return error == null ? "" : " (" + error.getCode() + ": " + error.getMessage() + ")";
    }

    private void fetch() {
        InetSocketAddress target;
        synchronized (this) {
            if (closed) {
                return;
            }
            updateRequested = false;
            lastAttemptNanos = System.nanoTime();
            List<InetSocketAddress> nodes = new ArrayList<>(new LinkedHashSet<>(candidates()));
            target = nodes.get(Math.floorMod(nextNode, nodes.size()));
        }
        MetadataRequest request =
                MetadataRequest.newBuilder().addAllTopics(topics).build();
        try {
            BrokerServiceGrpc.newStub(channels.get(target))
                    .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS)
                    .metadata(request, new StreamObserver<>() {
                        @Override
                        public void onNext(MetadataResponse response) {
                            onResponse(response);
                        }

                        @Override
                        public void onError(Throwable t) {
                            onFailure(target, t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
        } catch (RuntimeException e) {
            onFailure(target, e);
        }
    }

    private List<InetSocketAddress> candidates() {
        List<InetSocketAddress> nodes = new ArrayList<>(view.brokerAddresses());
        nodes.addAll(bootstrap);
        return nodes;
    }

    private void onResponse(MetadataResponse response) {
        view = ClusterView.from(response);
        synchronized (this) {
            updates++;
            lastError = null;
            authenticationFailure = null;
            fetchScheduled = false;
            notifyAll();
            if (updateRequested) {
                requestUpdate();
            }
        }
        onUpdate.run();
    }

    private void onFailure(InetSocketAddress target, Throwable t) {
        synchronized (this) {
            String what = "metadata request to " + target.getHostString() + ":" + target.getPort() + " failed";
            if (t instanceof StatusRuntimeException refused && AuthenticationFailure.causedBy(refused)) {
                // The same password will be refused again: waiters fail now, not at their deadline.
                authenticationFailure = AuthenticationFailure.of(what, refused);
            }
            lastError = new FerryTransportException(what + ": " + t.getMessage(), t);
            nextNode++;
            fetchScheduled = false;
            notifyAll();
            requestUpdate();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
