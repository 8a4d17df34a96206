package io.ferry.group;

/**
 * The group after a heartbeat and the answer to send. On an error the group is the one given, unchanged.
 */
public record HeartbeatResult(ConsumerGroup group, HeartbeatResponse response) {}
