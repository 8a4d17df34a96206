package io.ferry.client;

import static io.ferry.client.internal.ConfigDef.Type.INT;
import static io.ferry.client.internal.ConfigDef.Type.LONG;
import static io.ferry.client.internal.ConfigDef.Type.STRING;
import static io.ferry.client.internal.ConfigDef.atLeast;
import static io.ferry.client.internal.ConfigDef.oneOf;

import io.ferry.client.internal.ConfigDef;
import io.ferry.proto.v1.Acks;
import io.ferry.record.CompressionType;
import java.util.Locale;
import java.util.Map;

/**
 * The producer's configuration, with Kafka's key names, meanings and defaults. Build it from a
 * {@link Map} or {@link java.util.Properties}; an unknown key or a malformed value is a
 * {@link FerryConfigException}. Immutable.
 */
public final class ProducerConfig extends ClientConfig {

    public static final String ACKS = "acks";
    public static final String BATCH_SIZE = "batch.size";
    public static final String LINGER_MS = "linger.ms";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String BUFFER_MEMORY = "buffer.memory";
    public static final String MAX_BLOCK_MS = "max.block.ms";
    public static final String MAX_REQUEST_SIZE = "max.request.size";
    public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
    public static final String RETRIES = "retries";
    public static final String MAX_IN_FLIGHT = "max.in.flight.requests.per.connection";
    public static final String PARTITIONER_IGNORE_KEYS = "partitioner.ignore.keys";

    private static final ConfigDef DEF = commonDefinitions()
            .define(ACKS, STRING, "all", oneOf("0", "1", "all", "-1"),
                    "0: do not wait; 1: the leader appended; all: every in-sync replica has the records")
            .define(BATCH_SIZE, INT, 16384, atLeast(0),
                    "target uncompressed bytes per partition batch; 0 disables batching")
            .define(LINGER_MS, LONG, 5L, atLeast(0), "how long a batch waits for more records before it is sent")
            .define(COMPRESSION_TYPE, STRING, "none", oneOf("none", "gzip", "snappy", "lz4", "zstd"),
                    "codec for record batches")
            .define(BUFFER_MEMORY, LONG, 32L * 1024 * 1024, atLeast(1),
                    "bytes of unacknowledged records the producer holds before send() blocks")
            .define(MAX_BLOCK_MS, LONG, 60_000L, atLeast(0),
                    "how long send() blocks for metadata or buffer memory before it fails")
            .define(MAX_REQUEST_SIZE, INT, 1024 * 1024, atLeast(1),
                    "largest record, and largest request the producer sends, in bytes")
            .define(DELIVERY_TIMEOUT_MS, LONG, 120_000L, atLeast(1),
                    "upper bound from send() to success or failure, retries included")
            .define(RETRIES, INT, Integer.MAX_VALUE, atLeast(0),
                    "how often a batch is resent after a retriable error (within delivery.timeout.ms)")
            .define(MAX_IN_FLIGHT, INT, 5, atLeast(1), "unanswered requests per broker stream")
            .define(PARTITIONER_IGNORE_KEYS, STRING, "false", oneOf("true", "false"),
                    "true: ignore keys and use sticky partitioning for every record without a partition");

    private ProducerConfig(Map<String, Object> values) {
        super(values);
        if (deliveryTimeoutMs() < lingerMs() + requestTimeoutMs()) {
            throw new FerryConfigException(DELIVERY_TIMEOUT_MS + " (" + deliveryTimeoutMs() + ") must be at least "
                    + LINGER_MS + " + " + REQUEST_TIMEOUT_MS + " (" + (lingerMs() + requestTimeoutMs()) + ")");
        }
    }

    /** Parses {@code props} (a {@code Map} or {@code Properties}); values may be strings or numbers. */
    public static ProducerConfig of(Map<?, ?> props) {
        return new ProducerConfig(DEF.parse(props));
    }

    /** The configuration reference as a Markdown table, generated from the definitions. */
    public static String documentation() {
        return DEF.toMarkdown();
    }

    public Acks acks() {
        return switch ((String) value(ACKS)) {
            case "0" -> Acks.ACKS_NONE;
            case "1" -> Acks.ACKS_LEADER;
            default -> Acks.ACKS_ALL;
        };
    }

    public int batchSize() {
        return (Integer) value(BATCH_SIZE);
    }

    public long lingerMs() {
        return (Long) value(LINGER_MS);
    }

    public CompressionType compressionType() {
        return CompressionType.forName(((String) value(COMPRESSION_TYPE)).toLowerCase(Locale.ROOT));
    }

    public long bufferMemory() {
        return (Long) value(BUFFER_MEMORY);
    }

    public long maxBlockMs() {
        return (Long) value(MAX_BLOCK_MS);
    }

    public int maxRequestSize() {
        return (Integer) value(MAX_REQUEST_SIZE);
    }

    public long deliveryTimeoutMs() {
        return (Long) value(DELIVERY_TIMEOUT_MS);
    }

    public int retries() {
        return (Integer) value(RETRIES);
    }

    public int maxInFlightRequestsPerConnection() {
        return (Integer) value(MAX_IN_FLIGHT);
    }

    public boolean partitionerIgnoreKeys() {
        return Boolean.parseBoolean((String) value(PARTITIONER_IGNORE_KEYS));
    }
}
