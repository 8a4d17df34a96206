package io.ferry.node.internal.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigValues;
import io.ferry.config.NodeKeys;
import io.ferry.config.RawSetting;
import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.record.TimestampType;
import io.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
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
        TopicOverrides parsed = parse(Map.of(
                "min.insync.replicas",
                "2",
                "max.message.bytes",
                "4096",
                "segment.bytes",
                "1048576",
                "segment.ms",
                "60000",
                "retention.ms",
                "-1",
                "retention.bytes",
                " 99 ",
                "message.timestamp.type",
                "LogAppendTime",
                "message.timestamp.before.max.ms",
                "86400000",
                "message.timestamp.after.max.ms",
                "0"));
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
                        .build(),
                parsed.logConfig());
        assertEquals(new TopicOverrides(DEFAULTS, 1), parse(Map.of()));
    }

    @Test
    void eachRefusalNamesTheEntryAndWhatIsWrong() {
        assertEquals(
                "unknown topic config 'cleanup.policy'; the topic configs are max.message.bytes, "
                        + "message.timestamp.after.max.ms, message.timestamp.before.max.ms, message.timestamp.type, "
                        + "min.insync.replicas, retention.bytes, retention.ms, segment.bytes, segment.ms",
                refusal(Map.of("cleanup.policy", "compact")));
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
    void theSmallestValueEachKeyAcceptsIsALogSettingStorageAccepts() throws InvalidTopicConfigException {
        TopicOverrides smallest = parse(Map.of(
                "max.message.bytes",
                "1",
                "segment.bytes",
                "61",
                "segment.ms",
                "1",
                "retention.ms",
                "-1",
                "retention.bytes",
                "-1",
                "message.timestamp.before.max.ms",
                "0",
                "message.timestamp.after.max.ms",
                "0",
                "min.insync.replicas",
                "1"));
        assertEquals(61, smallest.logConfig().segmentBytes());
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
                new RawSetting("log.message.timestamp.after.max.ms", "7000", flags)));
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
