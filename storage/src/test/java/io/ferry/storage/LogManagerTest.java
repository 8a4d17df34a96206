package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(10_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final List<LogManager> managers = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (LogManager manager : managers) {
            manager.close();
        }
        scheduler.shutdownNow();
    }

    private List<Path> dirs() {
        return List.of(root.resolve("a"), root.resolve("b"));
    }

    private LogManager start(LogManagerConfig config) throws IOException {
        LogManager manager = LogManager.start(config, topic -> null, clock, scheduler);
        managers.add(manager);
        return manager;
    }

    private static LogConfig small() {
        return LogConfig.builder().segmentBytes(1024).fileDeleteDelayMs(0).build();
    }

    @Test
    void aSecondManagerOnTheSameDirectoriesFailsWithAClearMessage() throws IOException {
        LogManager first = start(LogManagerConfig.of(dirs()));
        LogDirectoryInUseException e = assertThrows(
                LogDirectoryInUseException.class,
                () -> LogManager.start(
                        LogManagerConfig.of(List.of(root.resolve("c"), root.resolve("b"))),
                        topic -> null,
                        clock,
                        scheduler));
        assertTrue(e.getMessage().contains(root.resolve("b").toString()), e.getMessage());
        // The failed start released the directory it had locked.
        LogManager onC = start(LogManagerConfig.of(List.of(root.resolve("c"))));
        onC.close();
        first.close();
        start(LogManagerConfig.of(dirs()));
    }

    @Test
    void aCleaningPassRecordsTheCleanPointInTheCleanerCheckpointThatARestartReads() throws Exception {
        LogConfig compacted = LogConfig.builder()
                .segmentBytes(1024)
                .fileDeleteDelayMs(0)
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .build();
        TopicPartition tp = new TopicPartition("compacted", 0);
        LogManager manager = start(LogManagerConfig.of(dirs()));
        Log log = manager.getOrCreateLog(tp, compacted);
        assertEquals(0, manager.cleanOffset(tp));
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(
                    CompactedLogs.keyed(
                            io.ferry.record.CompressionType.NONE,
                            clock.millis(),
                            List.of(new CompactedLogs.KeyValue("k", "v" + i))),
                    0);
        }
        log.roll();
        log.flush();

        CleanResult result = manager.clean(tp, log.logEndOffset(), new io.ferry.storage.internal.OffsetMap(4096, 0.9));

        assertEquals(4, result.cleanOffset());
        assertEquals(4, manager.cleanOffset(tp));
        Path checkpoint = log.dir().getParent().resolve(LogManager.CLEANER_OFFSET_CHECKPOINT);
        assertEquals(Map.of(tp, 4L), new OffsetCheckpointFile(checkpoint).read());
        manager.close();

        LogManager restarted = LogManager.start(LogManagerConfig.of(dirs()), topic -> compacted, clock, scheduler);
        managers.add(restarted);
        assertEquals(4, restarted.cleanOffset(tp));
        restarted.deleteLog(tp);
        restarted.getOrCreateLog(tp, LogConfig.defaults());
        assertEquals(Map.of(), new OffsetCheckpointFile(checkpoint).read(), "forgotten before the name is reused");
    }

    @Test
    void theControllersMetadataDirectoryInsideALogDirectoryIsNotAPartition() throws IOException {
        Path metadata = root.resolve("a").resolve(LogManager.CLUSTER_METADATA_DIR);
        Files.createDirectories(metadata.resolve("current"));
        LogManager manager = start(LogManagerConfig.of(dirs()));
        assertEquals(Map.of(), manager.allLogs());
        assertTrue(Files.isDirectory(metadata.resolve("current")));
    }

    @Test
    void invalidTopicNamesAreRefusedAndNoLogEscapesTheLogDirectories() throws IOException {
        for (String bad : List.of("..", ".", "", "a/b", "../x", "a\\b", "x".repeat(250), "t\0")) {
            assertThrows(InvalidTopicException.class, () -> new TopicPartition(bad, 0), bad);
        }
        assertThrows(InvalidTopicException.class, () -> new TopicPartition("t", -1));
        LogManager manager = start(LogManagerConfig.of(dirs()));
        for (String name : List.of("..a", "...", "a..", "-", "_", "x".repeat(249))) {
            Log log = manager.getOrCreateLog(new TopicPartition(name, 3), small());
            Path parent = log.dir().getParent();
            assertTrue(
                    dirs().stream().anyMatch(d -> d.toAbsolutePath().normalize().equals(parent)),
                    log.dir().toString());
            assertEquals(name + "-3", log.dir().getFileName().toString());
        }
    }

    @Test
    void logsAreSpreadOverTheDirectoriesAndSurviveACleanRestart() throws Exception {
        LogManager manager = start(LogManagerConfig.of(dirs()));
        for (int p = 0; p < 4; p++) {
            Log log = manager.getOrCreateLog(new TopicPartition("orders", p), small());
            for (int i = 0; i <= p; i++) {
                log.appendAsLeader(batch(clock.millis(), 2, 10), 1);
            }
            log.updateHighWatermark(p + 1);
        }
        manager.getLog(new TopicPartition("orders", 3)).orElseThrow().advanceLogStartOffset(1);
        assertEquals(2, countPartitionDirs(dirs().get(0)));
        assertEquals(2, countPartitionDirs(dirs().get(1)));
        manager.close();
        managers.remove(manager);

        LogManager restarted = start(LogManagerConfig.of(dirs()));
        Map<TopicPartition, Log> logs = restarted.allLogs();
        assertEquals(4, logs.size());
        for (int p = 0; p < 4; p++) {
            Log log = logs.get(new TopicPartition("orders", p));
            assertEquals(2L * (p + 1), log.logEndOffset());
            assertEquals(p + 1, log.highWatermark(), "restored from the checkpoint");
            assertEquals(
                    p == 3 ? 1 : 0, log.logStartOffset(), "a start inside a segment, restored from the checkpoint");
            assertEquals(log.logEndOffset(), log.recoveryPoint(), "checkpointed at shutdown");
            assertTrue(log.recoveryResult().cleanShutdown());
        }
    }

    private static long countPartitionDirs(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).count();
        }
    }

    @Test
    void afterACrashLogsRecoverFromTheCheckpointedRecoveryPoint() throws Exception {
        LogManager manager = start(LogManagerConfig.of(List.of(root.resolve("live"))));
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), small());
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        }
        log.flush();
        log.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        manager.checkpoint();
        // The directory as a killed broker leaves it (no clean-shutdown marker, no closed files).
        Path image = root.resolve("image");
        LogDirs.copy(root.resolve("live"), image);
        Files.deleteIfExists(image.resolve(LogDirectoryLock.LOCK_FILE_NAME));

        LogManager recovered = start(LogManagerConfig.of(List.of(image)));
        Log reopened = recovered.getLog(new TopicPartition("t", 0)).orElseThrow();
        assertFalse(reopened.recoveryResult().cleanShutdown());
        assertEquals(1, reopened.recoveryResult().segmentsRecovered(), "only the segment holding the recovery point");
        assertTrue(reopened.recoveryResult().batchesValidated() < 41);
        assertEquals(41, reopened.logEndOffset());
    }

    /** A manager of {@code live} where {@code tp} had 10 records, high watermark 10 and log start 5, checkpointed, then deleted. */
    private LogManager withADeletedLog(Path live, TopicPartition tp) throws Exception {
        LogManager manager = start(LogManagerConfig.of(List.of(live)));
        Log old = manager.getOrCreateLog(tp, small());
        appendRecords(old, 10);
        old.updateHighWatermark(10);
        old.advanceLogStartOffset(5);
        manager.checkpoint();
        manager.deleteLog(tp);
        return manager;
    }

    private void appendRecords(Log log, int records) throws LogAppendException {
        for (int i = 0; i < records; i++) {
            log.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        }
    }

    /** What a kill leaves of {@code live}, copied to {@code name}: the logs without the directory lock. */
    private Path crashImage(Path live, String name) throws IOException {
        Path image = root.resolve(name);
        LogDirs.copy(live, image);
        Files.deleteIfExists(image.resolve(LogDirectoryLock.LOCK_FILE_NAME));
        return image;
    }

    /** The log of {@code tp} as a restart on {@code image} opens it. */
    private Log reopened(Path image, TopicPartition tp) throws IOException {
        return start(LogManagerConfig.of(List.of(image))).getLog(tp).orElseThrow();
    }

    private static void assertNothingOfTheDeletedLog(Log reopened, long records) {
        assertEquals(0, reopened.logStartOffset(), "not the deleted log's start");
        assertEquals(0, reopened.highWatermark(), "not the deleted log's high watermark");
        assertEquals(records, reopened.logEndOffset());
    }

    @Test
    void aLogCreatedAgainAfterADeleteTakesNothingFromTheOldOneAfterACrash() throws Exception {
        Path live = root.resolve("live");
        TopicPartition tp = new TopicPartition("again", 0);
        appendRecords(withADeletedLog(live, tp).getOrCreateLog(tp, small()), 8);
        // Killed before the next periodic checkpoint.
        assertNothingOfTheDeletedLog(reopened(crashImage(live, "image"), tp), 8);
    }

    @Test
    void aLogDeletedJustBeforeACrashLeavesNothingToALogCreatedUnderItsNameAfterTheRestart() throws Exception {
        Path live = root.resolve("live");
        TopicPartition tp = new TopicPartition("again", 0);
        withADeletedLog(live, tp);
        // Killed before the next checkpoint: the files still name the deleted log.
        Path image = crashImage(live, "image");
        appendRecords(start(LogManagerConfig.of(List.of(image))).getOrCreateLog(tp, small()), 8);
        // Killed again before a checkpoint.
        assertNothingOfTheDeletedLog(reopened(crashImage(image, "second"), tp), 8);
    }

    @Test
    void aDeletionLeavesTheCheckpointsToTheNextWriteUnlessTheSameNameIsCreatedFirst() throws Exception {
        Path dir = root.resolve("live");
        LogManager manager = start(LogManagerConfig.of(List.of(dir)));
        TopicPartition gone = new TopicPartition("gone", 0);
        manager.getOrCreateLog(gone, small()).appendAsLeader(batch(clock.millis(), 1, 20), 1);
        manager.getOrCreateLog(new TopicPartition("kept", 0), small());
        manager.checkpoint();
        Path recoveryPoints = dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT);
        String written = Files.readString(recoveryPoints);
        assertTrue(written.contains("gone 0"), written);

        manager.deleteLog(gone);
        manager.getOrCreateLog(new TopicPartition("other", 0), small());
        assertEquals(written, Files.readString(recoveryPoints), "a deletion alone rewrites no checkpoint");

        manager.getOrCreateLog(gone, small());
        assertFalse(Files.readString(recoveryPoints).contains("gone 0"), "rewritten before the name is reused");
    }

    @Test
    void deleteLogRemovesItsDirectory() throws Exception {
        LogManager manager = start(LogManagerConfig.of(dirs()));
        TopicPartition tp = new TopicPartition("gone", 0);
        Log log = manager.getOrCreateLog(tp, small());
        log.appendAsLeader(batch(1, 1, 1), 0);
        Path dir = log.dir();
        assertTrue(manager.deleteLog(tp));
        assertFalse(Files.exists(dir));
        assertTrue(manager.getLog(tp).isEmpty());
        assertFalse(manager.deleteLog(tp));
        assertEquals(0, manager.getOrCreateLog(tp, small()).logEndOffset());
    }

    @Test
    void aPartitionInTwoDirectoriesStopsStartUp() throws IOException {
        Files.createDirectories(dirs().get(0).resolve("t-0"));
        Files.createDirectories(dirs().get(1).resolve("t-0"));
        StorageException e = assertThrows(StorageException.class, () -> start(LogManagerConfig.of(dirs())));
        assertTrue(e.getMessage().contains("two log directories"), e.getMessage());
        start(LogManagerConfig.of(List.of(dirs().get(0))));
    }

    @Test
    void retentionRunsOnTheScheduler() throws Exception {
        LogConfig retained = LogConfig.builder()
                .segmentBytes(1024)
                .retentionBytes(1024)
                .fileDeleteDelayMs(0)
                .build();
        LogManager manager =
                start(new LogManagerConfig(dirs(), retained, 10, Long.MAX_VALUE, 60_000, 1, CleanerConfig.defaults()));
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), retained);
        for (int i = 0; i < 50; i++) {
            log.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        }
        log.updateHighWatermark(50);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.logStartOffset() > 0);
        assertTrue(log.sizeInBytes() <= 2048);
    }

    /** Defaults but for the producer-expiry and mapping-idle intervals. */
    private LogManagerConfig withIntervals(LogConfig logs, long producerIdExpirationCheckMs, long mappingIdleMs) {
        return new LogManagerConfig(
                dirs(),
                logs,
                300_000,
                Long.MAX_VALUE,
                60_000,
                1,
                CleanerConfig.defaults(),
                producerIdExpirationCheckMs,
                mappingIdleMs);
    }

    @Test
    void idleProducersExpireOnTheScheduler() throws Exception {
        LogConfig expiring = LogConfig.builder().producerIdExpirationMs(60_000).build();
        LogManager manager = start(withIntervals(expiring, 10, LogManagerConfig.DEFAULT_SEGMENT_MAPPING_IDLE_MS));
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), expiring);
        log.appendAsLeader(TestBatches.producerBatch(9L, 0, 0, 1, clock.millis()), 1);
        assertEquals(1, log.producerIdCount());

        clock.advance(60_000);

        await().atMost(Duration.ofSeconds(10)).until(() -> log.producerIdCount() == 0);
    }

    @Test
    void heldRetentionDeletesNothingUntilReleased() throws Exception {
        LogConfig retained = LogConfig.builder()
                .segmentBytes(1024)
                .retentionBytes(1024)
                .fileDeleteDelayMs(0)
                .build();
        LogManager manager = LogManager.start(
                new LogManagerConfig(dirs(), retained, 10, Long.MAX_VALUE, 60_000, 1, CleanerConfig.defaults()),
                topic -> null,
                clock,
                scheduler,
                LogManager.RetentionStart.HELD);
        managers.add(manager);
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), retained);
        for (int i = 0; i < 50; i++) {
            log.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        }
        log.updateHighWatermark(50);
        manager.runRetention();
        assertEquals(0, log.logStartOffset(), "retention ran while held");
        manager.releaseRetention();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.logStartOffset() > 0);
    }

    @Test
    void theFlushPolicyRunsOnTheScheduler() throws Exception {
        LogConfig flushed = LogConfig.builder().flushIntervalMs(1000).build();
        LogManager manager =
                start(new LogManagerConfig(dirs(), flushed, 300_000, 10, 60_000, 1, CleanerConfig.defaults()));
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), flushed);
        log.appendAsLeader(batch(clock.millis(), 3, 20), 1);
        clock.advance(1000);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.recoveryPoint() == 3);
    }

    @Test
    void eachDirectoryFlushesOnItsOwnThreadAndAFailedFlushMarksItFailed() throws Exception {
        LogConfig everyRecord = LogConfig.builder().flushIntervalMessages(1).build();
        List<String> flushThreads = new CopyOnWriteArrayList<>();
        AtomicInteger made = new AtomicInteger();
        LogManager manager = LogManager.start(
                LogManagerConfig.of(dirs()),
                topic -> null,
                clock,
                scheduler,
                LogManager.RetentionStart.RUNNING,
                runnable -> new Thread(
                        () -> {
                            flushThreads.add(Thread.currentThread().getName());
                            runnable.run();
                        },
                        "flusher-" + made.incrementAndGet()),
                Thread::new);
        Log first = manager.getOrCreateLog(new TopicPartition("t", 0), everyRecord);
        Log second = manager.getOrCreateLog(new TopicPartition("t", 1), LogConfig.defaults());
        second.appendAsLeader(batch(clock.millis(), 1, 20), 1);
        assertFalse(first.dir().getParent().equals(second.dir().getParent()), "one log in each directory");

        first.appendAsLeader(batch(clock.millis(), 2, 20), 1).flushed().get(10, TimeUnit.SECONDS);
        assertEquals(2, first.recoveryPoint());
        assertEquals(List.of("flusher-1"), flushThreads);

        // The directory of the second log's partition is gone: forcing it (its segment was created since
        // the last flush) fails, and so does every append waiting for that flush.
        try (Stream<Path> files = Files.walk(second.dir())) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        second.updateConfig(everyRecord);
        CompletableFuture<Void> flushed =
                second.appendAsLeader(batch(clock.millis(), 1, 20), 1).flushed();
        ExecutionException e = assertThrows(ExecutionException.class, () -> flushed.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof StorageException, e.toString());
        assertEquals(List.of("flusher-1", "flusher-2"), flushThreads);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> manager.failedDirs().containsKey(second.dir().getParent()));
        assertEquals(0, second.recoveryPoint());
        assertThrows(IOException.class, manager::close, "the second log cannot close cleanly either");
    }

    @Test
    void segmentsGiveTheirMappingsBackOnTheSchedulerOnceUnread() throws Exception {
        LogConfig small = LogConfig.builder().segmentBytes(1024).build();
        LogManager manager =
                start(withIntervals(small, LogManagerConfig.DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, 10));
        Log log = manager.getOrCreateLog(new TopicPartition("t", 0), small);
        for (int i = 0; i < 3; i++) {
            log.appendAsLeader(TestBatches.batch(clock.millis(), 1, 100), 1);
            log.roll();
        }
        log.appendAsLeader(TestBatches.batch(clock.millis(), 1, 100), 1);
        log.updateHighWatermark(log.logEndOffset());
        for (long offset = 0; offset < 4; offset++) {
            log.read(offset, 1, Long.MAX_VALUE).lease().release();
        }
        assertEquals(4, log.mappedSegmentCount(), "every segment was read");

        await().atMost(Duration.ofSeconds(10)).until(() -> log.mappedSegmentCount() == 0);
    }

    @Test
    void aDirectoryWhoseCheckpointsCannotBeWrittenIsMarkedFailedUntilRestart() throws Exception {
        LogManager manager = LogManager.start(
                new LogManagerConfig(
                        dirs(), LogConfig.defaults(), 300_000, Long.MAX_VALUE, 10, 1, CleanerConfig.defaults()),
                topic -> null,
                clock,
                scheduler);
        Path failing = dirs().get(1);
        try (Stream<Path> files = Files.walk(failing)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !manager.failedDirs().isEmpty());
        assertEquals(
                List.of(failing.toAbsolutePath().normalize()),
                List.copyOf(manager.failedDirs().keySet()));
        assertTrue(
                manager.failedDirs().values().iterator().next().startsWith("writing its checkpoints failed: "),
                manager.failedDirs().toString());
        assertThrows(IOException.class, manager::close, "the checkpoint at close fails too");
    }

    @Test
    void aDeletionInterruptedByACrashIsFinishedAtStart() throws IOException {
        Path leftover = dirs().get(0).resolve("t-0.12345" + Log.DELETED_DIR_SUFFIX);
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("00000000000000000000.log"), "x");
        LogManager manager = start(LogManagerConfig.of(dirs()));
        assertFalse(Files.exists(leftover));
        assertTrue(manager.allLogs().isEmpty());
    }
}
