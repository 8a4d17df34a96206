package io.ferry.cli.internal;

import io.ferry.client.ConsumerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One output line per consumed record: the chosen metadata fields, then the value, joined by the
 * separator. Keys and values are shown as UTF-8 text; a missing key or value prints as
 * {@code null}, like Kafka's console consumer. Immutable.
 */
public final class RecordFormat {

    private final boolean timestamp;
    private final boolean partition;
    private final boolean offset;
    private final boolean key;
    private final String separator;

    public RecordFormat(boolean timestamp, boolean partition, boolean offset, boolean key, String separator) {
        this.timestamp = timestamp;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.separator = separator;
    }

    /** Fields in the order timestamp, partition, offset, key, value; without a line terminator. */
    public String format(ConsumerRecord record) {
        StringBuilder sb = new StringBuilder();
        if (timestamp) {
            sb.append(Instant.ofEpochMilli(record.timestamp())).append(separator);
        }
        if (partition) {
            sb.append(record.partition()).append(separator);
        }
        if (offset) {
            sb.append(record.offset()).append(separator);
        }
        if (key) {
            sb.append(text(record.key())).append(separator);
        }
        return sb.append(text(record.value())).toString();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }
}
