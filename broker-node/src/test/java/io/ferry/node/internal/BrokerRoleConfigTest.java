package io.ferry.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.NodeConfig;
import io.ferry.storage.CleanerConfig;
import io.ferry.storage.CleanupPolicy;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogManagerConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the broker's node keys reach the log manager's settings. */
class BrokerRoleConfigTest {

    private static NodeConfig node(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(Map.of("node.id", "1", "process.roles", "broker", "controller.quorum.voters", "1@localhost:9093"));
        return NodeConfig.of(all);
    }

    @Test
    void theCleanerKeysReachTheLogManager() throws Exception {
        LogManagerConfig logs = BrokerRole.logManagerConfig(node(Map.of(
                "log.cleaner.threads", "2",
                "log.cleaner.dedupe.buffer.size", "8388608",
                "log.cleaner.io.buffer.load.factor", "0.5",
                "log.cleaner.io.max.bytes.per.second", "1000000",
                "log.cleaner.backoff.ms", "250")));
        assertEquals(new CleanerConfig(2, 8 << 20, 0.5, 1_000_000, 250), logs.cleaner());
        assertEquals(
                CleanerConfig.defaults(),
                BrokerRole.logManagerConfig(node(Map.of())).cleaner());
    }

    @Test
    void theCompactionKeysAreTheDefaultsOfLogsWhoseTopicSetsNone() throws Exception {
        LogConfig defaults = BrokerRole.logManagerConfig(node(Map.of(
                        "log.cleanup.policy", "compact,delete",
                        "log.cleaner.delete.retention.ms", "1000",
                        "log.cleaner.min.compaction.lag.ms", "2000",
                        "log.cleaner.max.compaction.lag.ms", "3000",
                        "log.cleaner.min.cleanable.ratio", "0.1")))
                .defaultLogConfig();
        assertEquals(CleanupPolicy.COMPACT_DELETE, defaults.cleanupPolicy());
        assertEquals(1000, defaults.deleteRetentionMs());
        assertEquals(2000, defaults.minCompactionLagMs());
        assertEquals(3000, defaults.maxCompactionLagMs());
        assertEquals(0.1, defaults.minCleanableDirtyRatio());
    }
}
