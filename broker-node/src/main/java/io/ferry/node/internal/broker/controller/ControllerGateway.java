package io.ferry.node.internal.broker.controller;

import io.ferry.config.HostPort;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.ControllerServiceGrpc.ControllerServiceStub;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's one way to the controller quorum, shared by its session, its ISR changes and the admin
 * calls it forwards. Calls are asynchronous: no thread waits for a controller, so a slow or electing
 * quorum never holds a gRPC thread.
 *
 * <p>A controller either answers, forwards to the active controller, or answers NOT_CONTROLLER (no
 * active controller it can reach). This class holds the one retry loop for that: on NOT_CONTROLLER or a
 * transport failure the call moves to the next address of {@code controller.quorum.bootstrap.servers}
 * and tries again after {@link #RETRY_BACKOFF_MILLIS}, until its deadline. A controller answers each
 * attempt once, without retrying itself. Attempts run detached from the caller's gRPC {@link Context}: an
 * ISR change a follower's fetch caused must not be cancelled when that fetch's call ends.
 *
 * <p>Built with the role, before the services that use it; {@link #connect} gives it the addresses once
 * the node serves (on a combined node the default address is its own gRPC port, known only then). Calls
 * before that fail at once, as calls when no controller answers in time do.
 *
 * <p>Thread-safe: the addresses and channels are set once; the index of the address last found working is
 * a hint shared by all callers. Answers are handed over on {@code ferry-controller-call-N} threads.
 */
public final class ControllerGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerGateway.class);

    /** Pause between two attempts, so a quorum in election is not hammered. */
    public static final long RETRY_BACKOFF_MILLIS = 100;

    private static final String NO_ATTEMPT = "no attempt";

    /** Sends one request on a stub; the observer gets its answer. */
    @FunctionalInterface
    public interface Rpc<R> {
        void send(ControllerServiceStub stub, StreamObserver<R> answer);
    }

    /** A typed failure: no controller answered within the deadline. */
    public static final class ControllerUnavailableException extends Exception {
        public ControllerUnavailableException(String message) {
            super(message);
        }
    }

    private record Quorum(List<HostPort> addresses, List<ManagedChannel> channels) {}

    private final ScheduledExecutorService retries;
    private final ExecutorService callbacks;
    private final Optional<NodeTls> tls;
    private volatile Quorum quorum;
    private volatile int current;

    /**
     * @param threads makes the thread that times retries and the threads answers are handed over on
     * @param tls     when the controllers' {@code grpc.listener} serves TLS
     */
    public ControllerGateway(NodeThreads threads, Optional<NodeTls> tls) {
        this.tls = tls;
        this.retries = threads.scheduled("ferry-controller-retry", 1);
        this.callbacks = threads.cached("ferry-controller-call");
    }

    /**
     * Gives the gateway the controllers' gRPC addresses; once only.
     *
     * @throws IllegalStateException when already connected
     */
    public synchronized void connect(List<HostPort> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no controller address");
        }
        if (quorum != null) {
            throw new IllegalStateException("already connected to " + quorum.addresses());
        }
        List<ManagedChannel> channels = addresses.stream()
                .map(address -> (ManagedChannel) NodeTls.channelTo(address.host(), address.port(), tls)
                        .executor(callbacks)
                        .build())
                .toList();
        quorum = new Quorum(List.copyOf(addresses), channels);
    }

    /**
     * Calls until a controller gives an answer other than NOT_CONTROLLER, or {@code timeoutMillis} passes.
     *
     * @param what    names the call in failures
     * @param errorOf the response's error field
     * @return the first answer that is not NOT_CONTROLLER; completes exceptionally with
     *         {@link ControllerUnavailableException} when no controller gave one in time (the message names
     *         the last failure), and with the exception {@code rpc} threw
     */
    public <R> CompletableFuture<R> call(String what, Rpc<R> rpc, Function<R, Error> errorOf, long timeoutMillis) {
        Quorum q = quorum;
        if (q == null) {
            return CompletableFuture.failedFuture(new ControllerUnavailableException(
                    what + ": the broker is still starting and has no controller connection; retry"));
        }
        Attempts<R> attempts = new Attempts<>(q, what, rpc, errorOf, timeoutMillis);
        attempts.next();
        return attempts.result;
    }

    /** The attempts of one call, one at a time: each is started by the previous one's end or its backoff. */
    private final class Attempts<R> {
        final CompletableFuture<R> result = new CompletableFuture<>();
        private final Quorum quorum;
        private final String what;
        private final Rpc<R> rpc;
        private final Function<R, Error> errorOf;
        private final long timeoutMillis;
        private final long deadlineNanos;
        /** Written by one attempt before it starts the next (happens-before through the executor). */
        private String lastFailure = NO_ATTEMPT;

        Attempts(Quorum quorum, String what, Rpc<R> rpc, Function<R, Error> errorOf, long timeoutMillis) {
            this.quorum = quorum;
            this.what = what;
            this.rpc = rpc;
            this.errorOf = errorOf;
            this.timeoutMillis = timeoutMillis;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }

        void next() {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally(new ControllerUnavailableException(what + " reached no active controller"
                        + " within " + timeoutMillis + " ms via " + quorum.addresses() + ": " + lastFailure));
                return;
            }
            int index = current;
            ControllerServiceStub stub = ControllerServiceGrpc.newStub(
                            quorum.channels().get(index))
                    .withDeadlineAfter(left, TimeUnit.NANOSECONDS);
            StreamObserver<R> answer = new StreamObserver<>() {
                private R response;

                @Override
                public void onNext(R value) {
                    response = value;
                }

                @Override
                public void onError(Throwable t) {
                    Status status = Status.fromThrowable(t);
                    // Running out of time on the last attempt says less than what the attempts before found.
                    if (status.getCode() != Status.Code.DEADLINE_EXCEEDED || lastFailure.equals(NO_ATTEMPT)) {
                        lastFailure = quorum.addresses().get(index) + " failed: " + status;
                    }
                    retryAfterBackoff(index);
                }

                @Override
                public void onCompleted() {
                    Error error = errorOf.apply(response);
                    if (error.getCode() != ErrorCode.NOT_CONTROLLER) {
                        result.complete(response);
                        return;
                    }
                    lastFailure = quorum.addresses().get(index) + " answered NOT_CONTROLLER: " + error.getMessage();
                    retryAfterBackoff(index);
                }
            };
            try {
                Context.ROOT.run(() -> rpc.send(stub, answer));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        private void retryAfterBackoff(int failedIndex) {
            log.debug("{}: {}", what, lastFailure);
            current = (failedIndex + 1) % quorum.addresses().size();
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            try {
                retries.schedule(
                        this::next, Math.max(0, Math.min(RETRY_BACKOFF_MILLIS, leftMillis)), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(
                        new ControllerUnavailableException(what + ": the broker is closing: " + lastFailure));
            }
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        Quorum q = quorum;
        List<ManagedChannel> channels = q == null ? List.of() : q.channels();
        channels.forEach(ManagedChannel::shutdownNow);
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callbacks.shutdown();
    }
}
