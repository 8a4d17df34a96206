package io.ferry.node.internal.sasl;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.function.BooleanSupplier;

/**
 * A call authenticated by a session, which it must not outlive: when a request arrives after the session ended,
 * the call is closed UNAUTHENTICATED and its handler told it was cancelled, as when a client cancels. Sending and
 * closing go through one lock, so the close this class makes never overlaps the handler's own; once closed, the
 * handler's later messages and close are dropped. Thread-safe.
 *
 * @param <ReqT> the request type
 * @param <RespT> the response type
 */
final class SessionBoundCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private boolean closed;

    SessionBoundCall(ServerCall<ReqT, RespT> call) {
        super(call);
    }

    /** {@code handler}, whose requests reach it while {@code sessionEnded} says false. */
    ServerCall.Listener<ReqT> listener(ServerCall.Listener<ReqT> handler, BooleanSupplier sessionEnded) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(handler) {
            /** gRPC calls a listener one callback at a time, on any thread. */
            private volatile boolean cancelled;

            @Override
            public void onMessage(ReqT message) {
                if (cancelled) {
                    return;
                }
                if (sessionEnded.getAsBoolean()) {
                    cancelled = true;
                    closeForEndedSession();
                    super.onCancel();
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!cancelled) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onReady() {
                if (!cancelled) {
                    super.onReady();
                }
            }

            @Override
            public void onCancel() {
                if (!cancelled) {
                    cancelled = true;
                    super.onCancel();
                }
            }

            @Override
            public void onComplete() {
                if (!cancelled) {
                    super.onComplete();
                }
            }
        };
    }

    private synchronized void closeForEndedSession() {
        if (!closed) {
            closed = true;
            super.close(Status.UNAUTHENTICATED.withDescription(SessionPrincipal.REFUSAL), new Metadata());
        }
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
        if (!closed) {
            super.sendHeaders(headers);
        }
    }

    @Override
    public synchronized void sendMessage(RespT message) {
        if (!closed) {
            super.sendMessage(message);
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (!closed) {
            closed = true;
            super.close(status, trailers);
        }
    }
}
