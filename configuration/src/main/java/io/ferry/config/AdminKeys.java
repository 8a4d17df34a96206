package io.ferry.config;

/** The admin client's keys: the common client keys and {@link ClientKeys#DEFAULT_API_TIMEOUT_MS}; none of its own yet. */
public final class AdminKeys {

    public static final ConfigDef DEFINITION = ClientKeys.withCommon(ClientKeys.DEFAULT_API_TIMEOUT_MS);

    private AdminKeys() {}
}
