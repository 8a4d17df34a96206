package io.ferry.client;

/** A registered broker: its id, the host and port of its first endpoint, and whether it is fenced. */
public record BrokerInfo(int id, String host, int port, boolean fenced) {}
