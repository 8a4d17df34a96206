package io.ferry.node.internal.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.record.TimestampType;
import io.ferry.storage.LogConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicOverridesTest {

    private static final LogConfig DEFAULTS = LogConfig.defaults();

    private static TopicOverrides parse(Map<String, String> overrides) throws InvalidTopicConfigException {
        return TopicOverrides.parse(overrides, DEFAULTS, 1);
    }

    private static String refusal(Map<String, String> overrides) {
        return assertThrows(InvalidTopicConfigException.class, () -> parse(overrides)).getMessage();
    }

    @Test
    void everyTopicConfigIsAppliedOverTheDefaults() throws InvalidTopicConfigException {
        TopicOverrides parsed = parse(Map.of("min.insync.replicas", "2", "max.message.bytes", "4096",
                "segment.bytes", "1048576", "segment.ms", "60000", "retention.ms", "-1", "retention.bytes", " 99 ",
                "message.timestamp.type", "LogAppendTime", "message.timestamp.before.max.ms", "86400000",
                "message.timestamp.after.max.ms", "0"));
        assertEquals(2, parsed.minInsyncReplicas());
        assertEquals(DEFAULTS.toBuilder().maxMessageBytes(4096).segmentBytes(1 << 20).segmentMs(60_000)
                .retentionMs(-1).retentionBytes(99).timestampType(TimestampType.LOG_APPEND_TIME)
                .timestampBeforeMaxMs(86_400_000).timestampAfterMaxMs(0).build(), parsed.logConfig());
        assertEquals(new TopicOverrides(DEFAULTS, 1), parse(Map.of()));
    }

    @Test
    void eachRefusalNamesTheEntryAndWhatIsWrong() {
        assertEquals("unknown topic config 'cleanup.policy'; the topic configs are max.message.bytes, "
                + "message.timestamp.after.max.ms, message.timestamp.before.max.ms, message.timestamp.type, "
                + "min.insync.replicas, retention.bytes, retention.ms, segment.bytes, segment.ms",
                refusal(Map.of("cleanup.policy", "compact")));
        assertEquals("retention.ms=7d is not a 64-bit integer", refusal(Map.of("retention.ms", "7d")));
        assertEquals("max.message.bytes=3000000000 is not a 32-bit integer",
                refusal(Map.of("max.message.bytes", "3000000000")));
        assertEquals("segment.bytes is 10 but must be at least 61", refusal(Map.of("segment.bytes", "10")));
        assertEquals("segment.ms is 0 but must be positive", refusal(Map.of("segment.ms", "0")));
        assertEquals("retention.bytes is -2 but must be -1 (no limit) or more", refusal(Map.of("retention.bytes", "-2")));
        assertEquals("min.insync.replicas is 0 but must be at least 1", refusal(Map.of("min.insync.replicas", "0")));
        assertEquals("max.message.bytes is 0 but must be positive", refusal(Map.of("max.message.bytes", "0")));
        assertEquals("message.timestamp.type=logappendtime is not CreateTime or LogAppendTime",
                refusal(Map.of("message.timestamp.type", "logappendtime")));
        assertEquals("message.timestamp.after.max.ms is -1 but must be non-negative",
                refusal(Map.of("message.timestamp.after.max.ms", "-1")));
    }

    @Test
    void aHostileKeyIsQuotedShortAndPrintable() {
        String message = refusal(Map.of("k\n" + "x".repeat(5_000), "v"));
        assertEquals("unknown topic config 'k?" + "x".repeat(62) + "...'", message.substring(0, message.indexOf(';')));
    }

    @Test
    void theFirstProblemInKeyOrderIsReported() {
        assertEquals("retention.ms=x is not a 64-bit integer",
                refusal(Map.of("segment.ms", "y", "retention.ms", "x", "zzz", "1")));
    }
}
