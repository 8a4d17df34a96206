package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaLogComparisonTest {

    private static final long TIMESTAMP = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    /** Writes one batch of two records per value pair, all in {@code epoch}, into a new log. */
    private Path replica(String name, int epoch, String... values) throws LogAppendException {
        Path logDir = dir.resolve(name).resolve("t-0");
        try (Log log = Log.open(logDir, LogConfig.defaults(), 0, InstantSource.system(), scheduler)) {
            for (int i = 0; i < values.length; i += 2) {
                log.appendAsLeader(
                        RecordBatchBuilder.create(CompressionType.NONE)
                                .append(TIMESTAMP, null, values[i].getBytes(StandardCharsets.UTF_8))
                                .append(TIMESTAMP, null, values[i + 1].getBytes(StandardCharsets.UTF_8))
                                .build(),
                        epoch);
            }
        }
        return logDir;
    }

    @Test
    void identicalReplicasMatch() throws Exception {
        Map<Integer, Path> dirs = Map.of(
                101, replica("a", 0, "v0", "v1", "v2", "v3"),
                102, replica("b", 0, "v0", "v1", "v2", "v3"),
                103, replica("c", 0, "v0", "v1", "v2", "v3", "v4", "v5"));

        // Broker 103's last batch is above the high watermark: not compared.
        assertEquals(List.of(), ReplicaLogComparison.compare("t-0", dirs, 4));
    }

    @Test
    void namesTheBatchWhereAReplicaDiverges() throws Exception {
        Map<Integer, Path> dirs = Map.of(
                101, replica("a", 0, "v0", "v1", "v2", "v3"),
                102, replica("b", 0, "v0", "v1", "v2", "v3"),
                103, replica("c", 0, "v0", "v1", "v2", "XX"));

        List<String> problems = ReplicaLogComparison.compare("t-0", dirs, 4);

        assertEquals(1, problems.size(), problems::toString);
        assertTrue(
                problems.get(0).startsWith("t-0: diverged in the batch at offsets 2..3: broker 101 ("),
                problems::toString);
        assertTrue(problems.get(0).contains("and broker 103 ("), problems::toString);
    }

    @Test
    void aDifferentLeaderEpochIsADivergence() throws Exception {
        Map<Integer, Path> dirs = Map.of(
                101, replica("a", 1, "v0", "v1"),
                102, replica("b", 2, "v0", "v1"));

        List<String> problems = ReplicaLogComparison.compare("t-0", dirs, 2);

        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("leader epoch 1) and broker 102 ("), problems::toString);
        assertTrue(problems.get(0).contains("leader epoch 2) differ from byte"), problems::toString);
    }

    @Test
    void namesAReplicaShortOfTheHighWatermarkAndAMissingOne() throws Exception {
        Map<Integer, Path> dirs = Map.of(
                101, replica("a", 0, "v0", "v1", "v2", "v3"),
                102, replica("b", 0, "v0", "v1"),
                103, dir.resolve("nowhere/t-0"));

        List<String> problems = ReplicaLogComparison.compare("t-0", dirs, 4);

        assertEquals(
                List.of(
                        "t-0 on broker 102: holds whole batches only up to offset 2 (log end offset 2), not up to the high "
                                + "watermark 4",
                        "t-0 on broker 103: no partition directory " + dir.resolve("nowhere/t-0"),
                        "t-0: broker 101 holds 2 batches below the high watermark, broker 102 holds 1"),
                problems);
    }
}
