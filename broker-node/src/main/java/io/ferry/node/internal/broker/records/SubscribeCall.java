package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * The client's side of one Subscribe call: its first message must be a start, which is checked and starts the
 * {@link Subscription}; any other message ends the call with INVALID_ARGUMENT. The stream's onReady and onCancel
 * handlers drive and stop the subscription. gRPC runs these callbacks one at a time; the fields they share with
 * other threads are volatile.
 */
final class SubscribeCall implements StreamObserver<SubscribeRequest> {

    /** Checks a start and builds its subscription. */
    interface Starter {
        Subscription start(SubscribeStart start, ServerCallStreamObserver<SubscribeResponse> observer)
                throws SubscribeRefusal;
    }

    private final ServerCallStreamObserver<SubscribeResponse> observer;
    private final Starter starter;
    /** Set once, on a gRPC thread, read by the handlers on others. */
    private volatile Subscription subscription;

    private boolean started;
    private volatile boolean ended;

    SubscribeCall(StreamObserver<SubscribeResponse> responses, Starter starter) {
        this.observer = (ServerCallStreamObserver<SubscribeResponse>) responses;
        this.starter = starter;
        observer.setOnReadyHandler(() -> {
            Subscription s = subscription;
            if (s != null) {
                s.pump();
            }
        });
        observer.setOnCancelHandler(this::stop);
    }

    @Override
    public void onNext(SubscribeRequest request) {
        if (ended) {
            return;
        }
        if (started) {
            refuse("a Subscribe stream takes one SubscribeRequest, the start; another arrived");
        } else if (!request.hasStart()) {
            refuse("the first SubscribeRequest must be a start");
        } else {
            started = true;
            try {
                Subscription s = starter.start(request.getStart(), observer);
                subscription = s;
                if (ended) {
                    s.cancel();
                } else {
                    s.pump();
                }
            } catch (SubscribeRefusal refusal) {
                ended = true;
                observer.onError(RecordErrors.asException(refusal.error()));
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        stop();
    }

    @Override
    public void onCompleted() {
        // The client half-closed: the stream goes on until it cancels, as records.proto says, once started.
        if (!started && !ended) {
            refuse("the stream ended before its start");
        }
    }

    private void refuse(String message) {
        ended = true;
        Subscription s = subscription;
        if (s != null && !s.cancel()) {
            return; // it ended the call already
        }
        observer.onError(RecordErrors.asException(RecordErrors.error(ErrorCode.INVALID_REQUEST, message, null)));
    }

    private void stop() {
        ended = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
