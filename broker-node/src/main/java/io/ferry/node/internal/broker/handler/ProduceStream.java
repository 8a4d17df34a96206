package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One producer's bidirectional stream, with gRPC manual flow control: at most {@link #MAX_IN_FLIGHT}
 * requests are being handled at a time, and a new one is requested only when one completed and the
 * outbound side is ready, so neither side makes the broker buffer without bound. Responses carry
 * the request's correlation id and may complete out of order (an acks=all request waits while a
 * later acks=1 one does not); acks=NONE requests are answered with nothing.
 *
 * <p>Thread-safety: completions arrive on append, timer and gRPC threads; every use of the response
 * observer and the counters is under {@code this}.
 */
final class ProduceStream implements StreamObserver<OffHeapProduceRequest> {

    private static final Logger log = LoggerFactory.getLogger(ProduceStream.class);

    /**
     * Requests handled concurrently per stream: enough to keep a pipelining producer's batches flowing
     * while acks=all requests wait, small enough that the memory held is bounded by it times the
     * request size limit.
     */
    static final int MAX_IN_FLIGHT = 32;

    private final ServerCallStreamObserver<ProduceResponse> responses;
    private final Handler handler;
    private int inFlight;
    /** Completed requests whose slot has not been handed back to the client yet (outbound was not ready). */
    private int credits;

    private boolean halfClosed;
    private boolean done;

    /** Handles one request; calls the callback exactly once, on any thread. */
    @FunctionalInterface
    interface Handler {
        void handle(OffHeapProduceRequest request, java.util.function.Consumer<ProduceResponse> respond);
    }

    ProduceStream(StreamObserver<ProduceResponse> responses, Handler handler) {
        this.responses = (ServerCallStreamObserver<ProduceResponse>) responses;
        this.handler = handler;
        this.responses.disableAutoRequest();
        this.responses.setOnReadyHandler(this::grantCredits);
        this.responses.setOnCancelHandler(this::cancelled);
        this.responses.request(MAX_IN_FLIGHT);
    }

    @Override
    public void onNext(OffHeapProduceRequest received) {
        ProduceRequest request = received.request();
        synchronized (this) {
            if (done) {
                received.release();
                return;
            }
            inFlight++;
        }
        boolean answer = request.getAcks() != Acks.ACKS_NONE;
        try {
            handler.handle(received, response -> completed(answer ? response : null));
        } catch (RuntimeException e) {
            log.warn("Produce request {} on a stream failed", request.getCorrelationId(), e);
            fail(Status.INTERNAL.withDescription(
                    "the broker failed to handle request " + request.getCorrelationId() + ": " + e.getMessage()));
        }
    }

    private synchronized void completed(ProduceResponse response) {
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
