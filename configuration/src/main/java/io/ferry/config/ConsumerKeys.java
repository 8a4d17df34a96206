package io.ferry.config;

import static io.ferry.config.Importance.HIGH;
import static io.ferry.config.Importance.LOW;
import static io.ferry.config.Importance.MEDIUM;
import static io.ferry.config.Validators.any;
import static io.ferry.config.Validators.atLeast;
import static io.ferry.config.Validators.between;

/**
 * The consumer's keys, with Kafka's names, meanings and defaults; it reads {@link ClientKeys}' common
 * ones and {@link ClientKeys#DEFAULT_API_TIMEOUT_MS} too.
 */
public final class ConsumerKeys {

    private static final long INT_MAX = Integer.MAX_VALUE;

    public static final ConfigKey<Long> FETCH_MIN_BYTES = ConfigKey.define(
            "fetch.min.bytes",
            ConfigType.SIZE_BYTES,
            1L,
            between(0, INT_MAX),
            HIGH,
            "Bytes a fetch waits for, up to `fetch.max.wait.ms`.");

    public static final ConfigKey<Long> FETCH_MAX_WAIT_MS = ConfigKey.define(
            "fetch.max.wait.ms",
            ConfigType.DURATION_MS,
            500L,
            between(0, INT_MAX),
            LOW,
            "Longest a broker holds a fetch waiting for `fetch.min.bytes`.");

    public static final ConfigKey<Long> FETCH_MAX_BYTES = ConfigKey.define(
            "fetch.max.bytes",
            ConfigType.SIZE_BYTES,
            52_428_800L,
            between(0, INT_MAX),
            MEDIUM,
            "Record bytes per fetch response (the first batch is returned even if larger; a broker's own "
                    + "`fetch.max.bytes` caps it).");

    public static final ConfigKey<Long> MAX_PARTITION_FETCH_BYTES = ConfigKey.define(
            "max.partition.fetch.bytes",
            ConfigType.SIZE_BYTES,
            1_048_576L,
            between(0, INT_MAX),
            HIGH,
            "Record bytes per partition per fetch.");

    public static final ConfigKey<Integer> MAX_POLL_RECORDS = ConfigKey.define(
            "max.poll.records", ConfigType.INT, 500, atLeast(1), MEDIUM, "Most records one `poll()` returns.");

    public static final ConfigKey<String> AUTO_OFFSET_RESET = ConfigKey.define(
            "auto.offset.reset",
            ConfigType.STRING,
            "latest",
            Validators.oneOfIgnoringCase("earliest", "latest", "none"),
            MEDIUM,
            "Where to start without a valid position: `earliest`, `latest`, or `none` (throw).");

    public static final ConfigKey<Boolean> SKIP_CORRUPT_BATCHES = ConfigKey.define(
            "skip.corrupt.batches",
            ConfigType.BOOLEAN,
            false,
            any(),
            LOW,
            "`true`: skip a batch that cannot be decoded, logging its offsets, instead of throwing "
                    + "CorruptRecordBatchException (its records are lost to this consumer).");

    public static final ConfigKey<String> GROUP_ID = ConfigKey.define(
            "group.id",
            ConfigType.STRING,
            "",
            any(),
            HIGH,
            "The consumer group `subscribe()` joins; empty: no group (only `assign()`).");

    public static final ConfigKey<String> GROUP_INSTANCE_ID = ConfigKey.define(
            "group.instance.id",
            ConfigType.STRING,
            "",
            any(),
            MEDIUM,
            "Makes the member static: a restart with the same id gets its partitions back. Empty: dynamic.");

    public static final ConfigKey<Boolean> ENABLE_AUTO_COMMIT = ConfigKey.define(
            "enable.auto.commit",
            ConfigType.BOOLEAN,
            true,
            any(),
            MEDIUM,
            "With a group: commit the positions every `auto.commit.interval.ms` from `poll()`, before "
                    + "partitions are revoked, and at `close()`.");

    public static final ConfigKey<Long> AUTO_COMMIT_INTERVAL_MS = ConfigKey.define(
            "auto.commit.interval.ms",
            ConfigType.DURATION_MS,
            5_000L,
            between(0, INT_MAX),
            LOW,
            "How often `poll()` commits the positions when `enable.auto.commit` is true.");

    public static final ConfigKey<Long> MAX_POLL_INTERVAL_MS = ConfigKey.define(
            "max.poll.interval.ms",
            ConfigType.DURATION_MS,
            300_000L,
            between(1, INT_MAX),
            MEDIUM,
            "Longest time between `poll()` calls of a group member before it leaves the group (its "
                    + "partitions go to others; the next `poll()` rejoins). Also its rebalance timeout.");

    /** The common client keys, {@code default.api.timeout.ms} and the keys above. */
    public static final ConfigDef DEFINITION = ClientKeys.withCommon(
            ClientKeys.DEFAULT_API_TIMEOUT_MS,
            FETCH_MIN_BYTES,
            FETCH_MAX_WAIT_MS,
            FETCH_MAX_BYTES,
            MAX_PARTITION_FETCH_BYTES,
            MAX_POLL_RECORDS,
            AUTO_OFFSET_RESET,
            SKIP_CORRUPT_BATCHES,
            GROUP_ID,
            GROUP_INSTANCE_ID,
            ENABLE_AUTO_COMMIT,
            AUTO_COMMIT_INTERVAL_MS,
            MAX_POLL_INTERVAL_MS);

    private ConsumerKeys() {}
}
