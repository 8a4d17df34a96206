package io.ferry.controller;

/** The name of the endpoint every broker registers and the controllers rely on. */
public final class BrokerEndpoints {

    /**
     * A broker's {@code grpc.listener}: where other brokers fetch from, and what the active controller probes
     * when the broker's heartbeat is late.
     */
    public static final String INTERNAL = "grpc";

    private BrokerEndpoints() {}
}
