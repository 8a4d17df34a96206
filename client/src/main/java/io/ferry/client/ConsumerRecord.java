package io.ferry.client;

import io.ferry.record.Header;
import java.util.List;

/**
 * One record a consumer read. Key and value are the consumer's own copies.
 *
 * @param timestamp milliseconds since the epoch (create time, or log append time for such topics)
 * @param key       null when the record has none
 * @param value     null for a tombstone
 */
public record ConsumerRecord(
        String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
