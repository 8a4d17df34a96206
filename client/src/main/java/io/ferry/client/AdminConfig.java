package io.ferry.client;

import static io.ferry.client.internal.ConfigDef.Type.INT;
import static io.ferry.client.internal.ConfigDef.atLeast;

import io.ferry.client.internal.ConfigDef;
import java.util.Map;

/** The admin client's configuration, with Kafka's key names and defaults. Immutable. */
public final class AdminConfig extends ClientConfig {

    public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";

    private static final ConfigDef DEF = commonDefinitions()
            .define(DEFAULT_API_TIMEOUT_MS, INT, 60_000, atLeast(0), "how long one admin call may take, retries included");

    private AdminConfig(Map<String, Object> values) {
        super(values);
    }

    public static AdminConfig of(Map<?, ?> props) {
        return new AdminConfig(DEF.parse(props));
    }

    public static String documentation() {
        return DEF.toMarkdown();
    }

    public int defaultApiTimeoutMs() {
        return (Integer) value(DEFAULT_API_TIMEOUT_MS);
    }
}
