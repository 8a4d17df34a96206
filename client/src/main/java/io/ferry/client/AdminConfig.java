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

/** The admin client's configuration, with Kafka's key names and defaults. Immutable. */
public final class AdminConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    public static final String CLIENT_ID = "client.id";

    private static final ConfigDef DEF = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, HOST_LIST, ConfigDef.NO_DEFAULT, "host:port list of brokers to send calls to")
            .define(REQUEST_TIMEOUT_MS, INT, 30_000, atLeast(1), "how long to wait for one answer")
            .define(DEFAULT_API_TIMEOUT_MS, INT, 60_000, atLeast(0), "how long one admin call may take, retries included")
            .define(RETRY_BACKOFF_MS, LONG, 100L, atLeast(0), "wait before retrying after a retriable error")
            .define(METADATA_MAX_AGE_MS, LONG, 300_000L, atLeast(0), "metadata older than this is refreshed")
            .define(CLIENT_ID, STRING, "", "a name for this client in logs");

    private final Map<String, Object> values;

    private AdminConfig(Map<String, Object> values) {
        this.values = values;
    }

    public static AdminConfig of(Map<?, ?> props) {
        return new AdminConfig(DEF.parse(props));
    }

    public static String documentation() {
        return DEF.toMarkdown();
    }

    @SuppressWarnings("unchecked")
    public List<InetSocketAddress> bootstrapServers() {
        return (List<InetSocketAddress>) values.get(BOOTSTRAP_SERVERS);
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
