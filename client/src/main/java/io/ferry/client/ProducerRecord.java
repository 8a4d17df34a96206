package io.ferry.client;

import io.ferry.record.Header;
import java.util.List;
import java.util.Objects;

/**
 * A record to send. With no partition, the producer picks one: by the murmur2 hash of the key
 * (Kafka's choice, so a key lands on the same partition number as with Kafka's producer), or, for a
 * null key, the topic's current sticky partition. With no timestamp, the producer stamps the send
 * time. Immutable as long as the caller does not modify the arrays.
 *
 * @param partition  null to let the producer choose
 * @param timestamp  milliseconds since the epoch, or null for "now"
 * @param key        may be null
 * @param value      may be null (a tombstone)
 * @param headers    never null; empty for none
 */
public record ProducerRecord(
        String topic, Integer partition, Long timestamp, byte[] key, byte[] value, List<Header> headers) {

    public ProducerRecord {
        Objects.requireNonNull(topic, "topic");
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
        if (timestamp != null && timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
        }
        headers = headers == null ? List.of() : headers;
    }

    public ProducerRecord(String topic, byte[] key, byte[] value) {
        this(topic, null, null, key, value, List.of());
    }

    public ProducerRecord(String topic, Integer partition, byte[] key, byte[] value) {
        this(topic, partition, null, key, value, List.of());
    }
}
