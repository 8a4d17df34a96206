package io.ferry.node.internal.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigValues;
import io.ferry.config.NodeKeys;
import io.ferry.config.RawSetting;
import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.record.CompressionType;
import io.ferry.record.TimestampType;
import io.ferry.storage.CleanupPolicy;
import io.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicOverridesTest {

    private static final LogConfig DEFAULTS = LogConfig.defaults();

    private static TopicOverrides parse(Map<String, String> overrides) throws InvalidTopicConfigException {
        return TopicOverrides.parse(overrides, DEFAULTS, 1);
    }

    private static String refusal(Map<String, String> overrides) {
        return assertThrows(InvalidTopicConfigException.class, () -> parse(overrides))
                .getMessage();
    }

    @Test
    void everyTopicConfigIsAppliedOverTheDefaults() throws InvalidTopicConfigException {
        TopicOverrides parsed = parse(Map.ofEntries(
                Map.entry("min.insync.replicas", "2"),
                Map.entry("max.message.bytes", "4096"),
                Map.entry("segment.bytes", "1048576"),
                Map.entry("segment.ms", "60000"),
                Map.entry("retention.ms", "-1"),
                Map.entry("retention.bytes", " 99 "),
                Map.entry("message.timestamp.type", "LogAppendTime"),
                Map.entry("message.timestamp.before.max.ms", "86400000"),
                Map.entry("message.timestamp.after.max.ms", "0"),
                Map.entry("cleanup.policy", "delete, Compact"),
                Map.entry("delete.retention.ms", "1000"),
                Map.entry("min.compaction.lag.ms", "2000"),
                Map.entry("max.compaction.lag.ms", "3000"),
                Map.entry("min.cleanable.dirty.ratio", "0.25"),
                Map.entry("compression.type", "lz4")));
        assertEquals(2, parsed.minInsyncReplicas());
        assertEquals(
                DEFAULTS.toBuilder()
                        .maxMessageBytes(4096)
                        .segmentBytes(1 << 20)
                        .segmentMs(60_000)
                        .retentionMs(-1)
                        .retentionBytes(99)
                        .timestampType(TimestampType.LOG_APPEND_TIME)
                        .timestampBeforeMaxMs(86_400_000)
                        .timestampAfterMaxMs(0)
                        .cleanupPolicy(CleanupPolicy.COMPACT_DELETE)
                        .deleteRetentionMs(1000)
                        .minCompactionLagMs(2000)
                        .maxCompactionLagMs(3000)
                        .minCleanableDirtyRatio(0.25)
                        .compression(Optional.of(CompressionType.LZ4))
                        .build(),
                parsed.logConfig());
        assertEquals(new TopicOverrides(DEFAULTS, 1), parse(Map.of()));
        assertEquals(
                CleanupPolicy.COMPACT,
                parse(Map.of("cleanup.policy", "compact")).logConfig().cleanupPolicy());
        assertEquals(
                CleanupPolicy.DELETE,
                parse(Map.of("cleanup.policy", "DELETE")).logConfig().cleanupPolicy());
        // Kafka's topic names for the codecs: "uncompressed" stores batches uncompressed, "producer" keeps theirs.
        assertEquals(
                Optional.of(CompressionType.NONE),
                parse(Map.of("compression.type", "uncompressed")).logConfig().compression());
        assertEquals(
                Optional.empty(),
                parse(Map.of("compression.type", "producer")).logConfig().compression());
    }

    @Test
    void eachRefusalNamesTheEntryAndWhatIsWrong() {
        assertEquals(
                "unknown topic config 'unclean.leader.election.enable'; the topic configs are cleanup.policy, "
                        + "compression.type, delete.retention.ms, max.compaction.lag.ms, max.message.bytes, message.timestamp.after.max.ms, "
                        + "message.timestamp.before.max.ms, message.timestamp.type, min.cleanable.dirty.ratio, "
                        + "min.compaction.lag.ms, min.insync.replicas, retention.bytes, retention.ms, segment.bytes, "
                        + "segment.ms",
                refusal(Map.of("unclean.leader.election.enable", "true")));
        assertEquals(
                "cleanup.policy: expected delete, compact or compact,delete (words in any order and case), "
                        + "got 'shred'",
                refusal(Map.of("cleanup.policy", "shred")));
        assertEquals(
                "min.cleanable.dirty.ratio: expected a value in [0, 1], got 1.5",
                refusal(Map.of("min.cleanable.dirty.ratio", "1.5")));
        assertEquals(
                "min.cleanable.dirty.ratio: expected a decimal number, got 'half'",
                refusal(Map.of("min.cleanable.dirty.ratio", "half")));
        assertEquals(
                "max.compaction.lag.ms: expected a value in [1, ...], got 0",
                refusal(Map.of("max.compaction.lag.ms", "0")));
        assertEquals(
                "retention.ms: expected a whole number of milliseconds, got '7d'",
                refusal(Map.of("retention.ms", "7d")));
        assertEquals(
                "max.message.bytes: expected a value in [1, 2147483647], got 3000000000",
                refusal(Map.of("max.message.bytes", "3000000000")));
        assertEquals(
                "segment.bytes: expected a value in [61, 2147483647], got 10", refusal(Map.of("segment.bytes", "10")));
        assertEquals("segment.ms: expected a value in [1, ...], got 0", refusal(Map.of("segment.ms", "0")));
        assertEquals(
                "retention.bytes: expected a value in [-1, ...], got -2", refusal(Map.of("retention.bytes", "-2")));
        assertEquals(
                "min.insync.replicas: expected a value in [1, 2147483647], got 0",
                refusal(Map.of("min.insync.replicas", "0")));
        assertEquals(
                "max.message.bytes: expected a value in [1, 2147483647], got 0",
                refusal(Map.of("max.message.bytes", "0")));
        assertEquals(
                "message.timestamp.type: expected one of CreateTime, LogAppendTime, got 'logappendtime'",
                refusal(Map.of("message.timestamp.type", "logappendtime")));
        assertEquals(
                "message.timestamp.after.max.ms: expected a value in [0, ...], got -1",
                refusal(Map.of("message.timestamp.after.max.ms", "-1")));
    }

    @Test
    void theCleanupPolicyKeyAcceptsWhatStorageParsesAndNothingElse() throws InvalidTopicConfigException {
        for (String value : List.of(
                "delete",
                "compact",
                "compact,delete",
                "delete,compact",
                " Compact , DELETE ",
                "compact,compact",
                "delete,compact,delete",
                "",
                " ",
                ",",
                "compact,",
                ",delete",
                "compact;delete",
                "compact delete",
                "compact,delete,shred",
                "shred")) {
            CleanupPolicy parsed;
            try {
                parsed = CleanupPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                parsed = null;
            }
            if (parsed == null) {
                assertTrue(
                        refusal(Map.of("cleanup.policy", value)).startsWith("cleanup.policy: expected delete, compact"),
                        value);
            } else {
                assertEquals(
                        parsed,
                        parse(Map.of("cleanup.policy", value)).logConfig().cleanupPolicy(),
                        value);
            }
        }
    }

    @Test
    void aMaxCompactionLagBelowTheMinIsRefusedNamingBothKeys() throws InvalidTopicConfigException {
        assertEquals(
                "max.compaction.lag.ms 1000 is below min.compaction.lag.ms 2000, so a record would have to be "
                        + "compacted before it may be; set max.compaction.lag.ms to at least min.compaction.lag.ms",
                refusal(Map.of("min.compaction.lag.ms", "2000", "max.compaction.lag.ms", "1000")));
        LogConfig brokerDefaults = DEFAULTS.toBuilder()
                .minCompactionLagMs(5000)
                .maxCompactionLagMs(60_000)
                .build();
        assertEquals(
                "max.compaction.lag.ms 1000 is below min.compaction.lag.ms 5000 (the broker default), so a record "
                        + "would have to be compacted before it may be; set max.compaction.lag.ms to at least "
                        + "min.compaction.lag.ms",
                assertThrows(
                                InvalidTopicConfigException.class,
                                () -> TopicOverrides.parse(Map.of("max.compaction.lag.ms", "1000"), brokerDefaults, 1))
                        .getMessage());
        assertEquals(
                "max.compaction.lag.ms 60000 (the broker default) is below min.compaction.lag.ms 70000, so a record "
                        + "would have to be compacted before it may be; set max.compaction.lag.ms to at least "
                        + "min.compaction.lag.ms",
                assertThrows(
                                InvalidTopicConfigException.class,
                                () -> TopicOverrides.parse(Map.of("min.compaction.lag.ms", "70000"), brokerDefaults, 1))
                        .getMessage());
        assertEquals(
                1000,
                parse(Map.of("min.compaction.lag.ms", "1000", "max.compaction.lag.ms", "1000"))
                        .logConfig()
                        .maxCompactionLagMs(),
                "equal lags are allowed");
    }

    @Test
    void theSmallestValueEachKeyAcceptsIsALogSettingStorageAccepts() throws InvalidTopicConfigException {
        TopicOverrides smallest = parse(Map.ofEntries(
                Map.entry("max.message.bytes", "1"),
                Map.entry("segment.bytes", "61"),
                Map.entry("segment.ms", "1"),
                Map.entry("retention.ms", "-1"),
                Map.entry("retention.bytes", "-1"),
                Map.entry("message.timestamp.before.max.ms", "0"),
                Map.entry("message.timestamp.after.max.ms", "0"),
                Map.entry("min.insync.replicas", "1"),
                Map.entry("delete.retention.ms", "0"),
                Map.entry("min.compaction.lag.ms", "0"),
                Map.entry("max.compaction.lag.ms", "1"),
                Map.entry("min.cleanable.dirty.ratio", "0")));
        assertEquals(61, smallest.logConfig().segmentBytes());
        assertEquals(1, smallest.logConfig().maxCompactionLagMs());
        assertEquals(
                1.0, parse(Map.of("min.cleanable.dirty.ratio", "1")).logConfig().minCleanableDirtyRatio());
        TopicOverrides largest = parse(Map.of("max.message.bytes", "2147483647", "segment.bytes", "2147483647"));
        assertEquals(Integer.MAX_VALUE, largest.logConfig().segmentBytes());
    }

    @Test
    void aTopicWithoutAnOverrideTakesTheNodeValueOfTheKeysServerDefault() throws Exception {
        ConfigOrigin flags = ConfigOrigin.flag("test");
        ConfigValues node = NodeKeys.DEFINITION.resolve(List.of(
                new RawSetting("node.id", "1", flags),
                new RawSetting("process.roles", "broker", flags),
                new RawSetting("log.retention.ms", "1000", flags),
                new RawSetting("log.retention.bytes", "2000", flags),
                new RawSetting("log.segment.bytes", "3000000", flags),
                new RawSetting("log.roll.ms", "4000", flags),
                new RawSetting("message.max.bytes", "5000", flags),
                new RawSetting("log.message.timestamp.type", "LogAppendTime", flags),
                new RawSetting("log.message.timestamp.before.max.ms", "6000", flags),
                new RawSetting("log.message.timestamp.after.max.ms", "7000", flags),
                new RawSetting("log.cleanup.policy", "compact", flags),
                new RawSetting("log.cleaner.delete.retention.ms", "8000", flags),
                new RawSetting("log.cleaner.min.compaction.lag.ms", "9000", flags),
                new RawSetting("log.cleaner.max.compaction.lag.ms", "10000", flags),
                new RawSetting("log.cleaner.min.cleanable.ratio", "0.75", flags)));
        LogConfig brokerDefaults =
                TopicOverrides.withServerDefaults(LogConfig.builder(), node).build();
        assertEquals(
                LogConfig.builder()
                        .retentionMs(1000)
                        .retentionBytes(2000)
                        .segmentBytes(3_000_000)
                        .segmentMs(4000)
                        .maxMessageBytes(5000)
                        .timestampType(TimestampType.LOG_APPEND_TIME)
                        .timestampBeforeMaxMs(6000)
                        .timestampAfterMaxMs(7000)
                        .cleanupPolicy(CleanupPolicy.COMPACT)
                        .deleteRetentionMs(8000)
                        .minCompactionLagMs(9000)
                        .maxCompactionLagMs(10_000)
                        .minCleanableDirtyRatio(0.75)
                        .build(),
                brokerDefaults);

        ConfigValues nodeDefaults = NodeKeys.DEFINITION.resolve(
                List.of(new RawSetting("node.id", "1", flags), new RawSetting("process.roles", "broker", flags)));
        assertEquals(
                LogConfig.defaults(),
                TopicOverrides.withServerDefaults(LogConfig.builder(), nodeDefaults)
                        .build(),
                "storage's defaults are the declared ones");
    }

    @Test
    void aHostileKeyIsQuotedShortAndPrintable() {
        String message = refusal(Map.of("k\n" + "x".repeat(5_000), "v"));
        assertEquals("unknown topic config 'k?" + "x".repeat(62) + "...'", message.substring(0, message.indexOf(';')));
    }

    @Test
    void anUnknownKeyIsReportedFirstThenEveryBadValueInKeyOrder() {
        assertEquals(
                "retention.ms: expected a whole number of milliseconds, got 'x'; "
                        + "segment.ms: expected a whole number of milliseconds, got 'y'",
                refusal(Map.of("segment.ms", "y", "retention.ms", "x")));
        assertTrue(refusal(Map.of("segment.ms", "y", "retention.ms", "x", "zzz", "1"))
                .startsWith("unknown topic config 'zzz'"));
    }
}
