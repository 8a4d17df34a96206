package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TopicKeysTest {

    @Test
    void eachTopicKeyTakesItsDefaultFromKafkasServerDefaultProperty() {
        Map<String, String> serverDefaults = new TreeMap<>();
        TopicKeys.ALL.forEach(
                k -> serverDefaults.put(k.name(), k.serverDefault().name()));
        assertEquals(
                Map.of(
                        "max.message.bytes",
                        "message.max.bytes",
                        "message.timestamp.after.max.ms",
                        "log.message.timestamp.after.max.ms",
                        "message.timestamp.before.max.ms",
                        "log.message.timestamp.before.max.ms",
                        "message.timestamp.type",
                        "log.message.timestamp.type",
                        "min.insync.replicas",
                        "min.insync.replicas",
                        "retention.bytes",
                        "log.retention.bytes",
                        "retention.ms",
                        "log.retention.ms",
                        "segment.bytes",
                        "log.segment.bytes",
                        "segment.ms",
                        "log.roll.ms"),
                serverDefaults);
        for (TopicKey<?> key : TopicKeys.ALL) {
            assertEquals(key.serverDefault().defaultValue(), key.key().defaultValue(), key.name());
            assertEquals(TopicKeys.DEFINITION.key(key.name()).orElseThrow(), key.key());
        }
    }

    @Test
    void aTopicKeyMustMatchItsServerDefault() {
        ConfigKey<Long> other = ConfigKey.define("other", ConfigType.LONG, 5L, Validators.any(), Importance.LOW, "");
        assertThrows(IllegalArgumentException.class, () -> new TopicKey<>(other, NodeKeys.LOG_RETENTION_MS));
        assertThrows(
                IllegalArgumentException.class,
                () -> TopicKey.define(
                        "too.small", NodeKeys.LOG_RETENTION_MS, Validators.atLeast(Long.MAX_VALUE), Importance.LOW, ""),
                "the default must be valid for the topic");
    }
}
