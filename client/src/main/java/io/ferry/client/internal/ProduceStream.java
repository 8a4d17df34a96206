package io.ferry.client.internal;

import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The producer's bidirectional {@code ProduceStream} to one broker. Requests are written only while
 * gRPC says the stream {@link #isReady()} (its outbound buffer is below the flow-control window);
 * when it becomes ready again gRPC runs the sender's wake-up. Responses and failures arrive on gRPC
 * threads and are handed to the sender as {@link Event}s, so that only the sender thread reads or
 * changes {@link #inFlight} and {@link #broken}.
 */
final class ProduceStream implements ClientResponseObserver<ProduceRequest, ProduceResponse> {

    /** What a gRPC thread hands to the sender thread. */
    sealed interface Event permits Answer, Failure {
        ProduceStream stream();
    }

    record Answer(ProduceStream stream, ProduceResponse response) implements Event {}

    record Failure(ProduceStream stream, Throwable cause) implements Event {}

    /** A request on the wire, awaiting its answer. */
    record InFlight(long correlationId, long deadlineNanos, Map<TopicPartition, List<ProducerBatch>> batches) {}

    final int brokerId;
    /** By correlation id, in sending order. Sender thread only. */
    final LinkedHashMap<Long, InFlight> inFlight = new LinkedHashMap<>();
    /** Set when the stream failed or was cancelled. Sender thread only. */
    boolean broken;

    private final Sender sender;
    private volatile ClientCallStreamObserver<ProduceRequest> requests;

    private ProduceStream(int brokerId, Sender sender) {
        this.brokerId = brokerId;
        this.sender = sender;
    }

    static ProduceStream open(int brokerId, ManagedChannel channel, Sender sender) {
        ProduceStream stream = new ProduceStream(brokerId, sender);
        BrokerServiceGrpc.newStub(channel).produceStream(stream);
        return stream;
    }

    /** True when a request may be written now: fewer than {@code maxInFlight} unanswered and gRPC is ready. */
    boolean canSend(int maxInFlight) {
        return !broken && inFlight.size() < maxInFlight && requests.isReady();
    }

    void send(ProduceRequest request) {
        requests.onNext(request);
    }

    void cancel(String reason) {
        broken = true;
        requests.cancel(reason, null);
    }

    void finish() {
        broken = true;
        try {
            requests.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
            // The call already ended; nothing left to close.
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceRequest> requestStream) {
        this.requests = requestStream;
        requestStream.setOnReadyHandler(sender::wakeup);
    }

    @Override
    public void onNext(ProduceResponse response) {
        sender.post(new Answer(this, response));
    }

    @Override
    public void onError(Throwable t) {
        sender.post(new Failure(this, t));
    }

    @Override
    public void onCompleted() {
        sender.post(new Failure(
                this,
                Status.UNAVAILABLE
                        .withDescription("broker " + brokerId + " closed the produce stream")
                        .asRuntimeException()));
    }
}
