package io.ferry.client;

/**
 * Where an acknowledged record was written.
 *
 * @param offset    the record's log offset; -1 with {@code acks=0}, where no broker answers
 * @param timestamp milliseconds since the epoch: the record's create time, or the broker's append time
 *                  for a topic with LogAppendTime
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {}
