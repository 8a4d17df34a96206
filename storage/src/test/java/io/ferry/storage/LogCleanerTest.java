package io.ferry.storage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.storage.CompactedLogs.KeyValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log cleaner threads a {@link LogManager} runs: which log they clean, when, and how they stop. */
class LogCleanerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(10_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final List<LogManager> managers = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (LogManager manager : managers) {
            manager.close();
        }
        scheduler.shutdownNow();
    }

    private LogManager start(CleanerConfig cleaner, LogConfig topics) throws IOException {
        LogManagerConfig config = new LogManagerConfig(
                List.of(root.resolve("logs")), LogConfig.defaults(), 300_000, Long.MAX_VALUE, 60_000, 1, cleaner);
        LogManager manager = LogManager.start(config, topic -> topics, clock, scheduler);
        managers.add(manager);
        return manager;
    }

    private static CleanerConfig cleaner(long ioMaxBytesPerSecond) {
        return new CleanerConfig(1, 1 << 20, 0.9, ioMaxBytesPerSecond, 20);
    }

    private static LogConfig compacted(long maxCompactionLagMs) {
        return LogConfig.builder()
                .segmentBytes(8192)
                .fileDeleteDelayMs(0)
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .maxCompactionLagMs(maxCompactionLagMs)
                .build();
    }

    /** {@link #write}, then exposes it all to the cleaner: the high watermark moves to the log end. */
    private void overwrite(Log log, int keys, int rounds, String tag) throws LogAppendException {
        write(log, keys, rounds, tag);
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Writes {@code rounds} overwrites of keys k0..k{keys-1}, then rolls and flushes. */
    private void write(Log log, int keys, int rounds, String tag) throws LogAppendException {
        for (int round = 0; round < rounds; round++) {
            List<KeyValue> records = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                records.add(new KeyValue("k" + k, tag + round + "-" + "x".repeat(40)));
            }
            log.appendAsLeader(CompactedLogs.keyed(CompressionType.NONE, clock.millis(), records), 0);
        }
        log.roll();
        log.flush();
    }

    private static Map<String, String> latest(Log log) throws OffsetOutOfRangeException {
        return CompactedLogs.latest(CompactedLogs.records(CompactedLogs.readAll(log)));
    }

    private static Map<String, String> expected(int keys, String value) {
        Map<String, String> expected = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            expected.put("k" + k, value + "-" + "x".repeat(40));
        }
        return expected;
    }

    @Test
    void aDirtyLogIsCleanedByTheThreadAndItsCleanPointCheckpointed() throws Exception {
        LogManager manager = start(cleaner(Long.MAX_VALUE), compacted(Long.MAX_VALUE));
        TopicPartition tp = new TopicPartition("changelog", 0);
        Log log = manager.getOrCreateLog(tp, compacted(Long.MAX_VALUE));
        TopicPartition deleting = new TopicPartition("events", 0);
        manager.getOrCreateLog(deleting, LogConfig.builder().segmentBytes(8192).build());

        overwrite(log, 5, 40, "v");
        long dirtySize = log.sizeInBytes();

        // The clean point moves inside the pass, its stats only after it: wait for both.
        await().atMost(WAIT)
                .until(() ->
                        manager.cleanOffset(tp) > 0 && manager.cleanerStats().passes() > 0);
        assertEquals(expected(5, "v39"), latest(log));
        assertTrue(log.sizeInBytes() < dirtySize);
        CleanerStats stats = manager.cleanerStats();
        assertEquals(1, stats.passes());
        assertTrue(stats.recordsDropped() >= 150, stats.toString());
        assertTrue(stats.bytesRead() > stats.bytesWritten(), stats.toString());
        assertEquals(0.0, manager.dirtyRatio(tp));
        assertTrue(Double.isNaN(manager.dirtyRatio(deleting)));
    }

    @Test
    void aLogBelowTheMinimumDirtyRatioWaitsUntilMaxCompactionLagForcesIt() throws Exception {
        long maxLag = 60_000;
        LogManager manager = start(cleaner(Long.MAX_VALUE), compacted(maxLag));
        TopicPartition tp = new TopicPartition("changelog", 0);
        Log log = manager.getOrCreateLog(tp, compacted(maxLag));
        overwrite(log, 50, 4, "v");
        await().atMost(WAIT).until(() -> manager.cleanerStats().passes() == 1);
        long cleanPoint = manager.cleanOffset(tp);

        // New values of 5 of the 50 keys: far below half of what is clean.
        overwrite(log, 5, 1, "w");
        double ratio = manager.dirtyRatio(tp);
        assertTrue(ratio > 0 && ratio < 0.5, "dirty ratio " + ratio);
        // The thread looks every 20 ms; a dozen looks leave the log as it is.
        await().during(Duration.ofMillis(300))
                .atMost(WAIT)
                .until(() -> manager.cleanerStats().passes() == 1 && manager.cleanOffset(tp) == cleanPoint);

        clock.advance(maxLag + 1);

        await().atMost(WAIT).until(() -> manager.cleanerStats().passes() == 2);
        assertTrue(manager.cleanOffset(tp) > cleanPoint);
        Map<String, String> expected = expected(50, "v3");
        expected.putAll(expected(5, "w0"));
        assertEquals(expected, latest(log));
    }

    @Test
    void closingStopsAPassMidwayWithNothingSwappedAndTheLogWhole() throws Exception {
        // 20 KB/s: the first throttle check, 300 ms in, pauses the pass for seconds.
        LogManager manager = start(cleaner(20_000), compacted(Long.MAX_VALUE));
        TopicPartition tp = new TopicPartition("changelog", 0);
        Log log = manager.getOrCreateLog(tp, compacted(Long.MAX_VALUE));
        Path dir = log.dir();
        for (int i = 0; i < 20; i++) {
            write(log, 5, 8, "v" + i + "-");
        }
        Map<String, String> before = latest(log);
        log.updateHighWatermark(log.logEndOffset());

        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> listing(dir).stream().anyMatch(name -> name.endsWith(".cleaned")));
        manager.close();

        assertTrue(
                listing(dir).stream().noneMatch(name -> name.endsWith(".cleaned") || name.endsWith(".swap")),
                listing(dir).toString());
        LogManager reopened = start(new CleanerConfig(0, 0, 0.9, Long.MAX_VALUE, 20), compacted(Long.MAX_VALUE));
        assertEquals(0, reopened.cleanOffset(tp));
        assertEquals(before, latest(reopened.getLog(tp).orElseThrow()));
    }

    @Test
    void aLogThePassFailsOnIsLeftUncleanableAndTheOthersAreStillCleaned() throws Exception {
        LogManager manager = start(cleaner(Long.MAX_VALUE), compacted(Long.MAX_VALUE));
        TopicPartition broken = new TopicPartition("broken", 0);
        Log brokenLog = manager.getOrCreateLog(broken, compacted(Long.MAX_VALUE));
        overwrite(brokenLog, 5, 40, "v");
        Path firstSegment = brokenLog.dir().resolve(String.format("%020d.log", 0));
        try (FileChannel channel = FileChannel.open(firstSegment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x7f, 0x7f, 0x7f, 0x7f}), 100);
        }
        TopicPartition healthy = new TopicPartition("healthy", 0);
        Log healthyLog = manager.getOrCreateLog(healthy, compacted(Long.MAX_VALUE));

        await().atMost(WAIT).until(() -> manager.cleanerStats().uncleanablePartitions() == 1);
        overwrite(healthyLog, 5, 40, "h");

        await().atMost(WAIT).until(() -> manager.cleanOffset(healthy) > 0);
        assertEquals(expected(5, "h39"), latest(healthyLog));
        assertEquals(0, manager.cleanOffset(broken));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }
}
