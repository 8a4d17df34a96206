package io.ferry.config;

import static io.ferry.config.Importance.HIGH;
import static io.ferry.config.Importance.LOW;
import static io.ferry.config.Importance.MEDIUM;
import static io.ferry.config.Validators.any;
import static io.ferry.config.Validators.atLeast;
import static io.ferry.config.Validators.between;

/** The producer's keys, with Kafka's names, meanings and defaults; it reads {@link ClientKeys}' common ones too. */
public final class ProducerKeys {

    private static final long INT_MAX = Integer.MAX_VALUE;

    public static final ConfigKey<String> ACKS = ConfigKey.define(
            "acks",
            ConfigType.STRING,
            "all",
            Validators.oneOfIgnoringCase("0", "1", "all", "-1"),
            HIGH,
            "When a batch counts as written: `0` does not wait for an answer; `1` once the leader appended it; "
                    + "`all` (or `-1`) once every in-sync replica has it.");

    public static final ConfigKey<Long> BATCH_SIZE = ConfigKey.define(
            "batch.size",
            ConfigType.SIZE_BYTES,
            16_384L,
            between(0, INT_MAX),
            MEDIUM,
            "Target uncompressed bytes of one partition's batch; 0 disables batching.");

    public static final ConfigKey<Long> LINGER_MS = ConfigKey.define(
            "linger.ms",
            ConfigType.DURATION_MS,
            5L,
            atLeast(0),
            MEDIUM,
            "How long a batch waits for more records before it is sent.");

    public static final ConfigKey<String> COMPRESSION_TYPE = ConfigKey.define(
            "compression.type",
            ConfigType.STRING,
            "none",
            Validators.oneOfIgnoringCase("none", "gzip", "snappy", "lz4", "zstd"),
            HIGH,
            "Codec of the record batches the producer sends.");

    public static final ConfigKey<Long> BUFFER_MEMORY = ConfigKey.define(
            "buffer.memory",
            ConfigType.SIZE_BYTES,
            32L * 1024 * 1024,
            atLeast(1),
            HIGH,
            "Bytes of unacknowledged records the producer holds before `send()` blocks.");

    public static final ConfigKey<Long> MAX_BLOCK_MS = ConfigKey.define(
            "max.block.ms",
            ConfigType.DURATION_MS,
            60_000L,
            atLeast(0),
            MEDIUM,
            "How long `send()` blocks for metadata or buffer memory before it fails.");

    public static final ConfigKey<Long> MAX_REQUEST_SIZE = ConfigKey.define(
            "max.request.size",
            ConfigType.SIZE_BYTES,
            1024L * 1024,
            between(1, INT_MAX),
            MEDIUM,
            "Largest record, and largest request the producer sends, in bytes.");

    public static final ConfigKey<Long> DELIVERY_TIMEOUT_MS = ConfigKey.define(
            "delivery.timeout.ms",
            ConfigType.DURATION_MS,
            120_000L,
            atLeast(1),
            MEDIUM,
            "Upper bound from `send()` to success or failure, retries included. Must be at least `linger.ms` + "
                    + "`request.timeout.ms`.");

    public static final ConfigKey<Integer> RETRIES = ConfigKey.define(
            "retries",
            ConfigType.INT,
            Integer.MAX_VALUE,
            atLeast(0),
            LOW,
            "How often a batch is resent after a retriable error (within `delivery.timeout.ms`).");

    public static final ConfigKey<Integer> MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION = ConfigKey.define(
            "max.in.flight.requests.per.connection",
            ConfigType.INT,
            5,
            atLeast(1),
            LOW,
            "Unanswered requests per broker stream.");

    public static final ConfigKey<Boolean> PARTITIONER_IGNORE_KEYS = ConfigKey.define(
            "partitioner.ignore.keys",
            ConfigType.BOOLEAN,
            false,
            any(),
            MEDIUM,
            "`true`: ignore keys and use sticky partitioning for every record without a partition.");

    public static final ConfigKey<Boolean> ENABLE_IDEMPOTENCE = ConfigKey.define(
            "enable.idempotence",
            ConfigType.BOOLEAN,
            true,
            any(),
            LOW,
            "`true`: a retry never writes a batch twice and a partition's order holds across retries. "
                    + "Needs `acks=all`, `retries` above 0 and `max.in.flight.requests.per.connection` at most 5: "
                    + "set to true, other values of these are configuration errors; left at its default, they turn "
                    + "it off (as in Kafka).");

    /** The common client keys and the keys above. */
    public static final ConfigDef DEFINITION = ClientKeys.withCommon(
            ACKS,
            BATCH_SIZE,
            LINGER_MS,
            COMPRESSION_TYPE,
            BUFFER_MEMORY,
            MAX_BLOCK_MS,
            MAX_REQUEST_SIZE,
            DELIVERY_TIMEOUT_MS,
            RETRIES,
            MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            PARTITIONER_IGNORE_KEYS,
            ENABLE_IDEMPOTENCE);

    private ProducerKeys() {}
}
