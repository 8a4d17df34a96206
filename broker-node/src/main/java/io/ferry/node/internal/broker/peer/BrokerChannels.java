package io.ferry.node.internal.broker.peer;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
