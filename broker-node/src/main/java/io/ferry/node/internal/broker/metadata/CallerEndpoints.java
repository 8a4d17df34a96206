package io.ferry.node.internal.broker.metadata;

import io.ferry.controller.BrokerEndpoints;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Broker addresses as the caller should see them. A broker registers its {@code grpc.listener}
 * address ({@link #INTERNAL}) and, when it has one, its advertised external address ({@link #EXTERNAL});
 * answers to a call that came in on the external listener put every broker's external endpoint first,
 * so clients, which connect to a broker's first endpoint, reach it from outside.
 */
public final class CallerEndpoints {

    public static final String INTERNAL = BrokerEndpoints.INTERNAL;

    public static final String EXTERNAL = "external";

    private CallerEndpoints() {}

    /** {@code broker} with the endpoint of the listener the call this thread serves came in on first. */
    public static BrokerRegistration forCaller(BrokerRegistration broker) {
        return forCaller(broker, CallerListener.isExternal());
    }

    /**
     * {@code broker} with the endpoint of the caller's listener first, if it has one: for answers built
     * after an asynchronous wait, on a thread that does not carry the call's context.
     */
    public static BrokerRegistration forCaller(BrokerRegistration broker, boolean externalCaller) {
        String wanted = externalCaller ? EXTERNAL : INTERNAL;
        if (broker.getEndpointsCount() < 2 || broker.getEndpoints(0).getName().equals(wanted)) {
            return broker;
        }
        List<Endpoint> ordered = new ArrayList<>(broker.getEndpointsCount());
        broker.getEndpointsList().stream()
                .filter(e -> e.getName().equals(wanted))
                .forEach(ordered::add);
        broker.getEndpointsList().stream()
                .filter(e -> !e.getName().equals(wanted))
                .forEach(ordered::add);
        return broker.toBuilder().clearEndpoints().addAllEndpoints(ordered).build();
    }
}
