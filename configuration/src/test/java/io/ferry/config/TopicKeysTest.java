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
                Map.ofEntries(
                        Map.entry("cleanup.policy", "log.cleanup.policy"),
                        Map.entry("compression.type", "compression.type"),
                        Map.entry("delete.retention.ms", "log.cleaner.delete.retention.ms"),
                        Map.entry("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"),
                        Map.entry("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"),
                        Map.entry("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"),
                        Map.entry("max.message.bytes", "message.max.bytes"),
                        Map.entry("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms"),
                        Map.entry("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms"),
                        Map.entry("message.timestamp.type", "log.message.timestamp.type"),
                        Map.entry("min.insync.replicas", "min.insync.replicas"),
                        Map.entry("retention.bytes", "log.retention.bytes"),
                        Map.entry("retention.ms", "log.retention.ms"),
                        Map.entry("segment.bytes", "log.segment.bytes"),
                        Map.entry("segment.ms", "log.roll.ms")),
                serverDefaults);
        for (TopicKey<?> key : TopicKeys.ALL) {
            assertEquals(key.serverDefault().defaultValue(), key.key().defaultValue(), key.name());
            assertEquals(TopicKeys.DEFINITION.key(key.name()).orElseThrow(), key.key());
        }
        assertEquals(
                TopicKeys.ALL.stream().map(TopicKey::name).sorted().toList(),
                TopicKeys.ALL.stream().map(TopicKey::name).toList(),
                "ALL is in name order");
    }

    @Test
    void compactionKeysHaveKafkasDefaults() {
        assertEquals("delete", TopicKeys.CLEANUP_POLICY.key().defaultValue().orElseThrow());
        assertEquals(
                86_400_000L, TopicKeys.DELETE_RETENTION_MS.key().defaultValue().orElseThrow());
        assertEquals(0L, TopicKeys.MIN_COMPACTION_LAG_MS.key().defaultValue().orElseThrow());
        assertEquals(
                Long.MAX_VALUE,
                TopicKeys.MAX_COMPACTION_LAG_MS.key().defaultValue().orElseThrow());
        assertEquals(
                0.5, TopicKeys.MIN_CLEANABLE_DIRTY_RATIO.key().defaultValue().orElseThrow());
        assertEquals(1, NodeKeys.LOG_CLEANER_THREADS.defaultValue().orElseThrow());
        assertEquals(
                134_217_728L,
                NodeKeys.LOG_CLEANER_DEDUPE_BUFFER_SIZE.defaultValue().orElseThrow());
        assertEquals(
                0.9, NodeKeys.LOG_CLEANER_IO_BUFFER_LOAD_FACTOR.defaultValue().orElseThrow());
        assertEquals(
                Long.MAX_VALUE,
                NodeKeys.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND.defaultValue().orElseThrow());
        assertEquals(15_000L, NodeKeys.LOG_CLEANER_BACKOFF_MS.defaultValue().orElseThrow());
    }

    @Test
    void compactionKeysRefuseWhatStorageWouldRefuse() {
        ConfigOrigin origin = ConfigOrigin.supplied("test");
        ConfigProblem shred = assertThrows(
                        ConfigException.class,
                        () -> TopicKeys.CLEANUP_POLICY.key().parse("shred", origin))
                .problems()
                .get(0);
        assertEquals("cleanup.policy", shred.key());
        assertEquals(
                "expected delete, compact or compact,delete (words in any order and case), got 'shred'",
                shred.message());
        assertThrows(
                ConfigException.class,
                () -> TopicKeys.MAX_COMPACTION_LAG_MS.key().parse("0", origin));
        assertThrows(
                ConfigException.class,
                () -> TopicKeys.MIN_COMPACTION_LAG_MS.key().parse("-1", origin));
        assertThrows(
                ConfigException.class, () -> TopicKeys.DELETE_RETENTION_MS.key().parse("-1", origin));
        assertThrows(
                ConfigException.class,
                () -> TopicKeys.MIN_CLEANABLE_DIRTY_RATIO.key().parse("1.5", origin));
        assertThrows(ConfigException.class, () -> NodeKeys.LOG_CLEANER_THREADS.parse("-1", origin));
        assertThrows(ConfigException.class, () -> NodeKeys.LOG_CLEANER_IO_BUFFER_LOAD_FACTOR.parse("0", origin));
        assertThrows(ConfigException.class, () -> NodeKeys.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND.parse("0", origin));
        assertThrows(ConfigException.class, () -> NodeKeys.LOG_CLEANER_BACKOFF_MS.parse("0", origin));
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
