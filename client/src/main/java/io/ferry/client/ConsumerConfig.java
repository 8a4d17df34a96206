package io.ferry.client;

import static io.ferry.client.internal.ConfigDef.Type.INT;
import static io.ferry.client.internal.ConfigDef.Type.STRING;
import static io.ferry.client.internal.ConfigDef.atLeast;
import static io.ferry.client.internal.ConfigDef.oneOf;

import io.ferry.client.internal.ConfigDef;
import java.util.Locale;
import java.util.Map;

/**
 * The consumer's configuration, with Kafka's key names, meanings and defaults. An unknown key or a
 * malformed value is a {@link FerryConfigException}. Immutable.
 */
public final class ConsumerConfig extends ClientConfig {

    public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
    public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    public static final String MAX_POLL_RECORDS = "max.poll.records";
    public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
    public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";
    public static final String SKIP_CORRUPT_BATCHES = "skip.corrupt.batches";

    /** What a consumer does when it has no position, or its position is outside the log. */
    public enum OffsetReset { EARLIEST, LATEST, NONE }

    private static final ConfigDef DEF = commonDefinitions()
            .define(FETCH_MIN_BYTES, INT, 1, atLeast(0), "bytes a fetch waits for, up to fetch.max.wait.ms")
            .define(FETCH_MAX_WAIT_MS, INT, 500, atLeast(0), "longest a broker holds a fetch waiting for fetch.min.bytes")
            .define(FETCH_MAX_BYTES, INT, 52_428_800, atLeast(0),
                    "record bytes per fetch response (the first batch is returned even if larger)")
            .define(MAX_PARTITION_FETCH_BYTES, INT, 1_048_576, atLeast(0), "record bytes per partition per fetch")
            .define(MAX_POLL_RECORDS, INT, 500, atLeast(1), "most records one poll() returns")
            .define(AUTO_OFFSET_RESET, STRING, "latest", oneOf("earliest", "latest", "none"),
                    "where to start without a valid position: earliest, latest, or none (throw)")
            .define(DEFAULT_API_TIMEOUT_MS, INT, 60_000, atLeast(0),
                    "timeout of blocking calls that take none (position, offsetsForTimes, ...)")
            .define(SKIP_CORRUPT_BATCHES, STRING, "false", oneOf("true", "false"),
                    "true: skip a batch that cannot be decoded, logging its offsets, instead of throwing "
                            + "CorruptRecordBatchException (its records are lost to this consumer)");

    private ConsumerConfig(Map<String, Object> values) {
        super(values);
    }

    public static ConsumerConfig of(Map<?, ?> props) {
        return new ConsumerConfig(DEF.parse(props));
    }

    /** The configuration reference as a Markdown table, generated from the definitions. */
    public static String documentation() {
        return DEF.toMarkdown();
    }

    public int fetchMinBytes() {
        return (Integer) value(FETCH_MIN_BYTES);
    }

    public int fetchMaxWaitMs() {
        return (Integer) value(FETCH_MAX_WAIT_MS);
    }

    public int fetchMaxBytes() {
        return (Integer) value(FETCH_MAX_BYTES);
    }

    public int maxPartitionFetchBytes() {
        return (Integer) value(MAX_PARTITION_FETCH_BYTES);
    }

    public int maxPollRecords() {
        return (Integer) value(MAX_POLL_RECORDS);
    }

    public OffsetReset autoOffsetReset() {
        return OffsetReset.valueOf(((String) value(AUTO_OFFSET_RESET)).toUpperCase(Locale.ROOT));
    }

    public int defaultApiTimeoutMs() {
        return (Integer) value(DEFAULT_API_TIMEOUT_MS);
    }

    /** Whether poll() skips undecodable batches (logging each) instead of throwing for them. */
    public boolean skipCorruptBatches() {
        return Boolean.parseBoolean((String) value(SKIP_CORRUPT_BATCHES));
    }
}
