package io.ferry.client;

import static io.ferry.client.internal.ConfigDef.Type.HOST_LIST;
import static io.ferry.client.internal.ConfigDef.Type.INT;
import static io.ferry.client.internal.ConfigDef.Type.LONG;
import static io.ferry.client.internal.ConfigDef.Type.STRING;
import static io.ferry.client.internal.ConfigDef.atLeast;
import static io.ferry.client.internal.ConfigDef.oneOf;

import io.ferry.client.internal.ConfigDef;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The consumer's configuration, with Kafka's key names, meanings and defaults. An unknown key or a
 * malformed value is a {@link FerryConfigException}. Immutable.
 */
public final class ConsumerConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
    public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    public static final String MAX_POLL_RECORDS = "max.poll.records";
    public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    public static final String CLIENT_ID = "client.id";

    /** What a consumer does when it has no position, or its position is outside the log. */
    public enum OffsetReset { EARLIEST, LATEST, NONE }

    private static final ConfigDef DEF = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, HOST_LIST, ConfigDef.NO_DEFAULT,
                    "host:port list of brokers to fetch the first metadata from")
            .define(FETCH_MIN_BYTES, INT, 1, atLeast(0), "bytes a fetch waits for, up to fetch.max.wait.ms")
            .define(FETCH_MAX_WAIT_MS, INT, 500, atLeast(0), "longest a broker holds a fetch waiting for fetch.min.bytes")
            .define(FETCH_MAX_BYTES, INT, 52_428_800, atLeast(0),
                    "record bytes per fetch response (the first batch is returned even if larger)")
            .define(MAX_PARTITION_FETCH_BYTES, INT, 1_048_576, atLeast(0), "record bytes per partition per fetch")
            .define(MAX_POLL_RECORDS, INT, 500, atLeast(1), "most records one poll() returns")
            .define(AUTO_OFFSET_RESET, STRING, "latest", oneOf("earliest", "latest", "none"),
                    "where to start without a valid position: earliest, latest, or none (throw)")
            .define(REQUEST_TIMEOUT_MS, INT, 30_000, atLeast(1), "how long to wait for a broker's answer")
            .define(DEFAULT_API_TIMEOUT_MS, INT, 60_000, atLeast(0),
                    "timeout of blocking calls that take none (position, offsetsForTimes, ...)")
            .define(RETRY_BACKOFF_MS, LONG, 100L, atLeast(0), "wait before retrying after a retriable error")
            .define(METADATA_MAX_AGE_MS, LONG, 300_000L, atLeast(0),
                    "metadata older than this is refreshed even without an error")
            .define(CLIENT_ID, STRING, "", "a name for this consumer in logs");

    private final Map<String, Object> values;

    private ConsumerConfig(Map<String, Object> values) {
        this.values = values;
    }

    public static ConsumerConfig of(Map<?, ?> props) {
        return new ConsumerConfig(DEF.parse(props));
    }

    /** The configuration reference as a Markdown table, generated from the definitions. */
    public static String documentation() {
        return DEF.toMarkdown();
    }

    @SuppressWarnings("unchecked")
    public List<InetSocketAddress> bootstrapServers() {
        return (List<InetSocketAddress>) values.get(BOOTSTRAP_SERVERS);
    }

    public int fetchMinBytes() {
        return (Integer) values.get(FETCH_MIN_BYTES);
    }

    public int fetchMaxWaitMs() {
        return (Integer) values.get(FETCH_MAX_WAIT_MS);
    }

    public int fetchMaxBytes() {
        return (Integer) values.get(FETCH_MAX_BYTES);
    }

    public int maxPartitionFetchBytes() {
        return (Integer) values.get(MAX_PARTITION_FETCH_BYTES);
    }

    public int maxPollRecords() {
        return (Integer) values.get(MAX_POLL_RECORDS);
    }

    public OffsetReset autoOffsetReset() {
        return OffsetReset.valueOf(((String) values.get(AUTO_OFFSET_RESET)).toUpperCase(Locale.ROOT));
    }

    public int requestTimeoutMs() {
        return (Integer) values.get(REQUEST_TIMEOUT_MS);
    }

    public int defaultApiTimeoutMs() {
        return (Integer) values.get(DEFAULT_API_TIMEOUT_MS);
    }

    public long retryBackoffMs() {
        return (Long) values.get(RETRY_BACKOFF_MS);
    }

    public long metadataMaxAgeMs() {
        return (Long) values.get(METADATA_MAX_AGE_MS);
    }

    public String clientId() {
        return (String) values.get(CLIENT_ID);
    }
}
