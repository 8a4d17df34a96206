package io.ferry.node.internal.broker.metadata;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import java.util.Map;

/** Metadata views for tests that talk to a broker stand-in on loopback. */
public final class LoopbackBrokers {

    private LoopbackBrokers() {}

    /** A view with one broker, {@code brokerId}, whose internal endpoint is 127.0.0.1:{@code port}. */
    public static BrokerMetadata viewWith(int brokerId, int port) {
        return new BrokerMetadata(
                1,
                Map.of(
                        brokerId,
                        BrokerRegistration.newBuilder()
                                .setBrokerId(brokerId)
                                .addEndpoints(Endpoint.newBuilder()
                                        .setName(CallerEndpoints.INTERNAL)
                                        .setHost("127.0.0.1")
                                        .setPort(port))
                                .build()),
                Map.of(),
                Map.of());
    }
}
