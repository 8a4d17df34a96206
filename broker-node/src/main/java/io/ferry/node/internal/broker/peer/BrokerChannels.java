package io.ferry.node.internal.broker.peer;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One gRPC channel per broker, to the internal endpoint the metadata view registers for it, rebuilt when that
 * address changes. Each user keeps its own instance, so one kind of traffic (a follower's replica fetches)
 * never queues behind another's (client records forwarded to a leader) on one HTTP/2 connection.
 *
 * <p>Thread-safe: channels are created and replaced under this object's lock.
 */
public final class BrokerChannels implements AutoCloseable {

    private record Target(String host, int port) {}

    private record Connection(Target target, ManagedChannel channel) {}

    private final Supplier<BrokerMetadata> metadata;
    private final int maxInboundMessageBytes;
    private final Optional<NodeTls> tls;
    private final Map<Integer, Connection> connections = new HashMap<>();

    /**
     * @param maxInboundMessageBytes largest answer a channel accepts
     * @param tls                    when the brokers' {@code grpc.listener} serves TLS
     */
    public BrokerChannels(Supplier<BrokerMetadata> metadata, int maxInboundMessageBytes, Optional<NodeTls> tls) {
        this.metadata = metadata;
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.tls = tls;
    }

    /** The channel to {@code brokerId}; fails when the metadata view has no internal endpoint for it. */
    public synchronized ManagedChannel channel(int brokerId) throws IOException {
        Target target = target(brokerId)
                .orElseThrow(() -> new IOException(
                        "broker " + brokerId + " has no registered gRPC endpoint in this broker's metadata"));
        Connection connection = connections.get(brokerId);
        if (connection == null || !connection.target().equals(target)) {
            if (connection != null) {
                connection.channel().shutdownNow();
            }
            connection = new Connection(
                    target,
                    NodeTls.channelTo(target.host(), target.port(), tls)
                            .maxInboundMessageSize(maxInboundMessageBytes)
                            .build());
            connections.put(brokerId, connection);
        }
        return connection.channel();
    }

    /**
     * A unary call to {@code brokerId} that must end within {@code deadlineMillis}. The answer fails with a
     * {@link PeerCallException} naming the method and the broker when the call could not be made or ended with a
     * status; cancelling the answer cancels the call.
     */
    public <Q, R> CompletableFuture<R> call(
            int brokerId, MethodDescriptor<Q, R> method, Q request, long deadlineMillis) {
        String name = method.getBareMethodName();
        ManagedChannel channel;
        try {
            channel = channel(brokerId);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new PeerCallException(
                    name + " to broker " + brokerId + ": " + e.getMessage(), Status.Code.UNAVAILABLE, e));
        }
        // Not in the context of the gRPC call this thread serves, if any: the caller ends this call by cancelling
        // its answer, and some calls must outlive the one that made them (a group stream's member leaving).
        Context previous = Context.ROOT.attach();
        try {
            return call(
                    brokerId,
                    name,
                    channel.newCall(
                            method, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)),
                    request);
        } finally {
            Context.ROOT.detach(previous);
        }
    }

    private static <Q, R> CompletableFuture<R> call(int brokerId, String name, ClientCall<Q, R> call, Q request) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        answer.whenComplete((r, e) -> {
            if (answer.isCancelled()) {
                call.cancel("the caller stopped waiting", null);
            }
        });
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<R>() {
            @Override
            public void onNext(R response) {
                answer.complete(response);
            }

            @Override
            public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                answer.completeExceptionally(new PeerCallException(
                        name + " to broker " + brokerId + " failed: " + status, status.getCode(), t));
            }

            @Override
            public void onCompleted() {
                if (!answer.isDone()) {
                    answer.completeExceptionally(new PeerCallException(
                            "broker " + brokerId + " ended " + name + " without an answer",
                            Status.Code.INTERNAL,
                            null));
                }
            }
        });
        return answer;
    }

    private Optional<Target> target(int brokerId) {
        BrokerRegistration registration = metadata.get().brokers().get(brokerId);
        if (registration == null) {
            return Optional.empty();
        }
        for (Endpoint e : registration.getEndpointsList()) {
            if (e.getName().equals(CallerEndpoints.INTERNAL)) {
                return Optional.of(new Target(e.getHost(), e.getPort()));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        connections.values().forEach(c -> c.channel().shutdownNow());
        connections.clear();
    }
}
