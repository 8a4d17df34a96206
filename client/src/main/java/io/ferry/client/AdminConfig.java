package io.ferry.client;

import io.ferry.config.AdminKeys;
import io.ferry.config.ClientKeys;
import io.ferry.config.ConfigDocs;
import io.ferry.config.ConfigValues;
import java.util.Map;

/** The admin client's configuration, with Kafka's key names and defaults (declared in {@link AdminKeys}). Immutable. */
public final class AdminConfig extends ClientConfig {

    public static final String DEFAULT_API_TIMEOUT_MS = ClientKeys.DEFAULT_API_TIMEOUT_MS.name();

    private AdminConfig(ConfigValues values) {
        super(values);
    }

    public static AdminConfig of(Map<?, ?> props) {
        return new AdminConfig(resolve(AdminKeys.DEFINITION, props, "admin configuration"));
    }

    /** The configuration reference as a Markdown table, generated from the declarations. */
    public static String documentation() {
        return ConfigDocs.table(AdminKeys.DEFINITION);
    }

    public int defaultApiTimeoutMs() {
        return Math.toIntExact(value(ClientKeys.DEFAULT_API_TIMEOUT_MS));
    }
}
