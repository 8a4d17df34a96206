package io.ferry.node.internal.broker;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of a streaming call as gRPC would drive it, for tests of stream handlers without a socket:
 * records what is sent and asked of it; the test sets its readiness and runs its onReady handler.
 */
public final class FakeServerCall<T> extends ServerCallStreamObserver<T> {
    public volatile boolean ready = true;
    public int requested;
    public boolean autoRequestDisabled;
    public volatile boolean completed;
    public volatile Throwable error;
    public volatile Runnable onReady = () -> {};
    /** The handler the stream set to run when the client cancels; a test runs it to cancel. */
    public volatile Runnable onCancel = () -> {};

    private final List<T> sent = new ArrayList<>();

    /** Becomes ready and runs the onReady handler, as gRPC does when the transport drains. */
    public void becomeReady() {
        ready = true;
        onReady.run();
    }

    /** What was sent so far. */
    public synchronized List<T> sent() {
        return List.copyOf(sent);
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
        onCancel = handler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoRequest() {
        autoRequestDisabled = true;
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
        onReady = handler;
    }

    @Override
    public void disableAutoInboundFlowControl() {
        autoRequestDisabled = true;
    }

    @Override
    public void request(int count) {
        requested += count;
    }

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public synchronized void onNext(T value) {
        sent.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {
        completed = true;
    }
}
