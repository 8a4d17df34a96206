package io.ferry.client;

import io.ferry.config.ConfigDocs;
import io.ferry.config.ConfigException;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigProblem;
import io.ferry.config.ConfigValues;
import io.ferry.config.ProducerKeys;
import io.ferry.proto.v1.Acks;
import io.ferry.record.CompressionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The producer's configuration, with Kafka's key names, meanings and defaults (declared in
 * {@link ProducerKeys}). Build it from a {@link Map} or {@link java.util.Properties};
 * an unknown key or a malformed value is a {@link FerryConfigException}. Immutable.
 */
public final class ProducerConfig extends ClientConfig {

    public static final String ACKS = ProducerKeys.ACKS.name();
    public static final String BATCH_SIZE = ProducerKeys.BATCH_SIZE.name();
    public static final String LINGER_MS = ProducerKeys.LINGER_MS.name();
    public static final String COMPRESSION_TYPE = ProducerKeys.COMPRESSION_TYPE.name();
    public static final String BUFFER_MEMORY = ProducerKeys.BUFFER_MEMORY.name();
    public static final String MAX_BLOCK_MS = ProducerKeys.MAX_BLOCK_MS.name();
    public static final String MAX_REQUEST_SIZE = ProducerKeys.MAX_REQUEST_SIZE.name();
    public static final String DELIVERY_TIMEOUT_MS = ProducerKeys.DELIVERY_TIMEOUT_MS.name();
    public static final String RETRIES = ProducerKeys.RETRIES.name();
    public static final String MAX_IN_FLIGHT = ProducerKeys.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION.name();
    public static final String PARTITIONER_IGNORE_KEYS = ProducerKeys.PARTITIONER_IGNORE_KEYS.name();
    public static final String ENABLE_IDEMPOTENCE = ProducerKeys.ENABLE_IDEMPOTENCE.name();

    /** Kafka's bound: the brokers remember a producer's last five runs (Kafka: batches) per partition. */
    private static final int MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

    private final boolean idempotent;

    private ProducerConfig(ConfigValues values) {
        super(values);
        List<ConfigProblem> problems = new ArrayList<>();
        if (deliveryTimeoutMs() < lingerMs() + requestTimeoutMs()) {
            problems.add(new ConfigProblem(
                    DELIVERY_TIMEOUT_MS,
                    origin(ProducerKeys.DELIVERY_TIMEOUT_MS),
                    "expected at least " + LINGER_MS
                            + " + " + REQUEST_TIMEOUT_MS + " (" + (lingerMs() + requestTimeoutMs()) + "), got "
                            + deliveryTimeoutMs()));
        }
        List<ConfigProblem> conflicts = idempotenceConflicts();
        boolean explicit = origin(ProducerKeys.ENABLE_IDEMPOTENCE).kind() != ConfigOrigin.Kind.DEFAULT;
        // As Kafka 3.2+: a defaulted idempotence gives way to settings that break it; an explicit one is an error.
        this.idempotent = value(ProducerKeys.ENABLE_IDEMPOTENCE) && (explicit || conflicts.isEmpty());
        if (idempotent) {
            problems.addAll(conflicts);
        }
        if (!problems.isEmpty()) {
            throw new FerryConfigException(new ConfigException(problems));
        }
    }

    /** The settings an idempotent producer cannot work with, each as the problem it would be. */
    private List<ConfigProblem> idempotenceConflicts() {
        List<ConfigProblem> conflicts = new ArrayList<>();
        if (acks() != Acks.ACKS_ALL) {
            conflicts.add(idempotenceProblem(
                    ProducerKeys.ACKS,
                    "expected all with " + ENABLE_IDEMPOTENCE + "=true, got " + value(ProducerKeys.ACKS)));
        }
        if (retries() == 0) {
            conflicts.add(idempotenceProblem(
                    ProducerKeys.RETRIES, "expected above 0 with " + ENABLE_IDEMPOTENCE + "=true, got 0"));
        }
        if (maxInFlightRequestsPerConnection() > MAX_IN_FLIGHT_FOR_IDEMPOTENCE) {
            conflicts.add(idempotenceProblem(
                    ProducerKeys.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                    "expected at most " + MAX_IN_FLIGHT_FOR_IDEMPOTENCE + " with " + ENABLE_IDEMPOTENCE + "=true, got "
                            + maxInFlightRequestsPerConnection()));
        }
        return conflicts;
    }

    private ConfigProblem idempotenceProblem(ConfigKey<?> key, String message) {
        return new ConfigProblem(key.name(), origin(key), message);
    }

    /** Parses {@code props} (a {@code Map} or {@code Properties}); values may be strings or numbers. */
    public static ProducerConfig of(Map<?, ?> props) {
        return new ProducerConfig(resolve(ProducerKeys.DEFINITION, props, "producer configuration"));
    }

    /** The configuration reference as a Markdown table, generated from the declarations. */
    public static String documentation() {
        return ConfigDocs.table(ProducerKeys.DEFINITION);
    }

    public Acks acks() {
        return switch (value(ProducerKeys.ACKS).toLowerCase(Locale.ROOT)) {
            case "0" -> Acks.ACKS_NONE;
            case "1" -> Acks.ACKS_LEADER;
            default -> Acks.ACKS_ALL;
        };
    }

    public int batchSize() {
        return Math.toIntExact(value(ProducerKeys.BATCH_SIZE));
    }

    public long lingerMs() {
        return value(ProducerKeys.LINGER_MS);
    }

    public CompressionType compressionType() {
        return CompressionType.forName(value(ProducerKeys.COMPRESSION_TYPE).toLowerCase(Locale.ROOT));
    }

    public long bufferMemory() {
        return value(ProducerKeys.BUFFER_MEMORY);
    }

    public long maxBlockMs() {
        return value(ProducerKeys.MAX_BLOCK_MS);
    }

    public int maxRequestSize() {
        return Math.toIntExact(value(ProducerKeys.MAX_REQUEST_SIZE));
    }

    public long deliveryTimeoutMs() {
        return value(ProducerKeys.DELIVERY_TIMEOUT_MS);
    }

    public int retries() {
        return value(ProducerKeys.RETRIES);
    }

    public int maxInFlightRequestsPerConnection() {
        return value(ProducerKeys.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    }

    public boolean partitionerIgnoreKeys() {
        return value(ProducerKeys.PARTITIONER_IGNORE_KEYS);
    }

    /**
     * Whether the producer is idempotent: {@code enable.idempotence}, unless it was left at its default
     * and {@code acks}, {@code retries} or {@code max.in.flight.requests.per.connection} rule it out.
     */
    public boolean idempotenceEnabled() {
        return idempotent;
    }
}
