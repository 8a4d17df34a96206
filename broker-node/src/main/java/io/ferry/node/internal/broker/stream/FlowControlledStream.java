package io.ferry.node.internal.broker.stream;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's bidirectional request stream, with gRPC manual flow control: at most {@link #MAX_IN_FLIGHT}
 * requests are being handled at a time, and a new one is requested only when one completed and the outbound
 * side is ready, so neither side makes the broker buffer without bound. Responses may complete out of order
 * (an acks=all request waits while a later acks=1 one does not); a request {@link Requests#answered answered}
 * with nothing (acks=NONE) still frees its slot. Once the stream is cancelled or failed, answers still in flight
 * are dropped.
 *
 * <p>Thread-safety: completions arrive on append, timer and gRPC threads; every use of the response observer
 * and the counters is under {@code this}.
 *
 * @param <Q> a request as received
 * @param <R> a response
 */
public final class FlowControlledStream<Q, R> implements StreamObserver<Q> {

    private static final Logger log = LoggerFactory.getLogger(FlowControlledStream.class);

    /**
     * Requests handled concurrently per stream: enough to keep a pipelining client's requests flowing while
     * acks=all requests wait, small enough that the memory held is bounded by it times the request size limit.
     */
    public static final int MAX_IN_FLIGHT = 32;

    /** Handles one request; calls the callback exactly once, on any thread. */
    @FunctionalInterface
    public interface Handler<Q, R> {
        void handle(Q request, Consumer<R> respond);
    }

    /** What the stream needs to know of its requests beyond handling them. */
    public interface Requests<Q> {
        /** False when the client expects no response (acks=NONE). */
        boolean answered(Q request);

        /** The id the client gave the request, for the log when handling it fails. */
        long id(Q request);

        /** Takes back a request that arrived after the stream ended, unhandled (to free what it holds). */
        void dropped(Q request);
    }

    private final ServerCallStreamObserver<R> responses;
    private final Requests<Q> requests;
    private final Handler<Q, R> handler;
    private int inFlight;
    /** Completed requests whose slot has not been handed back to the client yet (outbound was not ready). */
    private int credits;

    private boolean halfClosed;
    private boolean done;

    public FlowControlledStream(StreamObserver<R> responses, Requests<Q> requests, Handler<Q, R> handler) {
        this.responses = (ServerCallStreamObserver<R>) responses;
        this.requests = requests;
        this.handler = handler;
        this.responses.disableAutoRequest();
        this.responses.setOnReadyHandler(this::grantCredits);
        this.responses.setOnCancelHandler(this::cancelled);
        this.responses.request(MAX_IN_FLIGHT);
    }

    @Override
    public void onNext(Q request) {
        synchronized (this) {
            if (done) {
                requests.dropped(request);
                return;
            }
            inFlight++;
        }
        boolean answer = requests.answered(request);
        try {
            handler.handle(request, response -> completed(answer ? response : null));
        } catch (RuntimeException e) {
            long id = requests.id(request);
            log.warn("Request {} on a stream failed", id, e);
            fail(Status.INTERNAL.withDescription("the broker failed to handle request " + id));
        }
    }

    private synchronized void completed(R response) {
        inFlight--;
        if (done) {
            return;
        }
        if (response != null) {
            responses.onNext(response);
        }
        credits++;
        grantCredits();
        if (halfClosed && inFlight == 0) {
            done = true;
            responses.onCompleted();
        }
    }

    private synchronized void grantCredits() {
        if (!done && !halfClosed && credits > 0 && responses.isReady()) {
            responses.request(credits);
            credits = 0;
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        done = true;
    }

    @Override
    public synchronized void onCompleted() {
        halfClosed = true;
        if (!done && inFlight == 0) {
            done = true;
            responses.onCompleted();
        }
    }

    private synchronized void cancelled() {
        done = true;
    }

    private synchronized void fail(Status status) {
        if (!done) {
            done = true;
            responses.onError(status.asRuntimeException());
        }
    }
}
