package io.ferry.node.internal.broker.kafka;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The one answer of a unary broker service method, called from the Kafka listener rather than by gRPC: the
 * listener runs the very methods gRPC runs, so that both protocols share their checks, authorization, quotas
 * and metrics. The answer completes {@link #answer()}; a failure completes it exceptionally. The method's
 * close handler (the fetch memory it holds until the answer is on the wire) runs through {@link #ended()},
 * which the listener calls once it has serialized the answer or lost the connection. There is no flow
 * control to honour: the answer is one message.
 */
final class GrpcReply<T> extends ServerCallStreamObserver<T> {

    private final CompletableFuture<T> answer = new CompletableFuture<>();
    private volatile Runnable onEnd = () -> {};
    private volatile boolean cancelled;

    CompletableFuture<T> answer() {
        return answer;
    }

    /** Runs what the method registered to run when its call ends; once. */
    void ended() {
        Runnable end = onEnd;
        onEnd = () -> {};
        end.run();
    }

    /** The connection ended before the answer was sent: the method's cancel handler runs, as gRPC's would. */
    void cancel() {
        cancelled = true;
        ended();
    }

    @Override
    public void onNext(T value) {
        answer.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        answer.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        if (!answer.isDone()) {
            answer.completeExceptionally(new IllegalStateException("the call completed without an answer"));
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    // Cancel and close both give back what the call holds; the listener runs whichever comes, once.
    @Override
    public void setOnCancelHandler(Runnable onCancel) {
        onEnd = onCancel;
    }

    @Override
    public void setOnCloseHandler(Runnable onClose) {
        onEnd = onClose;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReady) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
}
