package io.ferry.client.internal;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * A unary gRPC call's answer as a {@link CompletableFuture}: completed with the response, or exceptionally
 * with the call's failure (a {@code StatusRuntimeException}). Thread-safe: gRPC completes it on its
 * executor while the caller waits on or chains from {@link #future()}.
 */
final class UnaryAnswer<T> implements StreamObserver<T> {

    private final CompletableFuture<T> future = new CompletableFuture<>();

    CompletableFuture<T> future() {
        return future;
    }

    @Override
    public void onNext(T value) {
        future.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        future.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {}
}
