package io.ferry.client;

/** A group as listed: its id and state (Kafka's consumer group states: EMPTY, ASSIGNING, RECONCILING, STABLE). */
public record ConsumerGroupListing(String groupId, String state) {}
