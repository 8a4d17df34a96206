package io.ferry.client;

import io.ferry.config.ClientKeys;
import io.ferry.config.ConfigDocs;
import io.ferry.config.ConfigValues;
import io.ferry.config.ConsumerKeys;
import java.util.Locale;
import java.util.Map;

/**
 * The consumer's configuration, with Kafka's key names, meanings and defaults (declared in
 * {@link ConsumerKeys}). An unknown key or a malformed value is a {@link FerryConfigException}. Immutable.
 */
public final class ConsumerConfig extends ClientConfig {

    public static final String FETCH_MIN_BYTES = ConsumerKeys.FETCH_MIN_BYTES.name();
    public static final String FETCH_MAX_WAIT_MS = ConsumerKeys.FETCH_MAX_WAIT_MS.name();
    public static final String FETCH_MAX_BYTES = ConsumerKeys.FETCH_MAX_BYTES.name();
    public static final String MAX_PARTITION_FETCH_BYTES = ConsumerKeys.MAX_PARTITION_FETCH_BYTES.name();
    public static final String MAX_POLL_RECORDS = ConsumerKeys.MAX_POLL_RECORDS.name();
    public static final String AUTO_OFFSET_RESET = ConsumerKeys.AUTO_OFFSET_RESET.name();
    public static final String DEFAULT_API_TIMEOUT_MS = ClientKeys.DEFAULT_API_TIMEOUT_MS.name();
    public static final String SKIP_CORRUPT_BATCHES = ConsumerKeys.SKIP_CORRUPT_BATCHES.name();
    public static final String GROUP_ID = ConsumerKeys.GROUP_ID.name();
    public static final String GROUP_INSTANCE_ID = ConsumerKeys.GROUP_INSTANCE_ID.name();
    public static final String ENABLE_AUTO_COMMIT = ConsumerKeys.ENABLE_AUTO_COMMIT.name();
    public static final String AUTO_COMMIT_INTERVAL_MS = ConsumerKeys.AUTO_COMMIT_INTERVAL_MS.name();
    public static final String MAX_POLL_INTERVAL_MS = ConsumerKeys.MAX_POLL_INTERVAL_MS.name();

    /** What a consumer does when it has no position, or its position is outside the log. */
    public enum OffsetReset {
        EARLIEST,
        LATEST,
        NONE
    }

    private ConsumerConfig(ConfigValues values) {
        super(values);
    }

    public static ConsumerConfig of(Map<?, ?> props) {
        return new ConsumerConfig(resolve(ConsumerKeys.DEFINITION, props, "consumer configuration"));
    }

    /** The configuration reference as a Markdown table, generated from the declarations. */
    public static String documentation() {
        return ConfigDocs.table(ConsumerKeys.DEFINITION);
    }

    public int fetchMinBytes() {
        return Math.toIntExact(value(ConsumerKeys.FETCH_MIN_BYTES));
    }

    public int fetchMaxWaitMs() {
        return Math.toIntExact(value(ConsumerKeys.FETCH_MAX_WAIT_MS));
    }

    public int fetchMaxBytes() {
        return Math.toIntExact(value(ConsumerKeys.FETCH_MAX_BYTES));
    }

    public int maxPartitionFetchBytes() {
        return Math.toIntExact(value(ConsumerKeys.MAX_PARTITION_FETCH_BYTES));
    }

    public int maxPollRecords() {
        return value(ConsumerKeys.MAX_POLL_RECORDS);
    }

    public OffsetReset autoOffsetReset() {
        return OffsetReset.valueOf(value(ConsumerKeys.AUTO_OFFSET_RESET).toUpperCase(Locale.ROOT));
    }

    public int defaultApiTimeoutMs() {
        return Math.toIntExact(value(ClientKeys.DEFAULT_API_TIMEOUT_MS));
    }

    /** Whether poll() skips undecodable batches (logging each) instead of throwing for them. */
    public boolean skipCorruptBatches() {
        return value(ConsumerKeys.SKIP_CORRUPT_BATCHES);
    }

    /** The group {@code subscribe()} joins; empty when none. */
    public String groupId() {
        return value(ConsumerKeys.GROUP_ID);
    }

    /** The static member's instance id; empty for a dynamic member. */
    public String groupInstanceId() {
        return value(ConsumerKeys.GROUP_INSTANCE_ID);
    }

    public boolean enableAutoCommit() {
        return value(ConsumerKeys.ENABLE_AUTO_COMMIT);
    }

    public long autoCommitIntervalMs() {
        return value(ConsumerKeys.AUTO_COMMIT_INTERVAL_MS);
    }

    public int maxPollIntervalMs() {
        return Math.toIntExact(value(ConsumerKeys.MAX_POLL_INTERVAL_MS));
    }
}
