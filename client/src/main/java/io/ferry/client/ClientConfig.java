package io.ferry.client;

import static io.ferry.client.internal.ConfigDef.Type.HOST_LIST;
import static io.ferry.client.internal.ConfigDef.Type.INT;
import static io.ferry.client.internal.ConfigDef.Type.LONG;
import static io.ferry.client.internal.ConfigDef.Type.STRING;
import static io.ferry.client.internal.ConfigDef.atLeast;

import io.ferry.client.internal.ConfigDef;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The settings every Ferry client has (Kafka's {@code CommonClientConfigs}): where the brokers are,
 * how long to wait for one answer, how to pace retries, how old metadata may get, and a name for logs.
 * An unknown key or a malformed value is a {@link FerryConfigException}. Immutable.
 */
public abstract sealed class ClientConfig permits AdminConfig, ConsumerConfig, ProducerConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    public static final String CLIENT_ID = "client.id";

    private final Map<String, Object> values;

    ClientConfig(Map<String, Object> values) {
        this.values = values;
    }

    /** A definition of the common keys, which each client extends with its own. */
    static ConfigDef commonDefinitions() {
        return new ConfigDef()
                .define(BOOTSTRAP_SERVERS, HOST_LIST, ConfigDef.NO_DEFAULT,
                        "host:port list of brokers to fetch the first metadata from")
                .define(REQUEST_TIMEOUT_MS, INT, 30_000, atLeast(1), "how long to wait for a broker's answer to one request")
                .define(RETRY_BACKOFF_MS, LONG, 100L, atLeast(0), "wait before retrying after a retriable error")
                .define(METADATA_MAX_AGE_MS, LONG, 300_000L, atLeast(0),
                        "metadata older than this is refreshed even without an error")
                .define(CLIENT_ID, STRING, "", "a name for this client in logs");
    }

    /** The parsed value of {@code key}, of the type its definition gives. */
    final Object value(String key) {
        return values.get(key);
    }

    @SuppressWarnings("unchecked")
    public List<InetSocketAddress> bootstrapServers() {
        return (List<InetSocketAddress>) value(BOOTSTRAP_SERVERS);
    }

    public int requestTimeoutMs() {
        return (Integer) value(REQUEST_TIMEOUT_MS);
    }

    public long retryBackoffMs() {
        return (Long) value(RETRY_BACKOFF_MS);
    }

    public long metadataMaxAgeMs() {
        return (Long) value(METADATA_MAX_AGE_MS);
    }

    public String clientId() {
        return (String) value(CLIENT_ID);
    }
}
