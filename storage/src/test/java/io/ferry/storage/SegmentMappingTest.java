package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.record.RecordBatch;
import io.ferry.storage.internal.LogLoader;
import io.ferry.storage.internal.LogSegment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment maps nothing until it is read, and the appendable one's indexes nothing until their first
 * entry (issue 19: mappings count against the process's {@code vm.max_map_count}, so they must follow
 * what is read, not how many segments or partitions exist).
 */
class SegmentMappingTest {

    private static final int SEGMENTS = 10;
    private static final int BATCHES_PER_SEGMENT = 4;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final LogConfig config = LogConfig.builder()
            .segmentBytes(4 * 1024)
            .indexIntervalBytes(0)
            .segmentIndexBytes(1024)
            .build();

    @TempDir
    Path root;

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    /** A log of {@link #SEGMENTS} segments of {@link #BATCHES_PER_SEGMENT} one-record batches, closed. */
    private Path writeLog() throws LogAppendException {
        Path dir = root.resolve("t-0");
        Log writer = Log.open(dir, config, 0, clock, scheduler);
        for (int segment = 0; segment < SEGMENTS; segment++) {
            for (int batch = 0; batch < BATCHES_PER_SEGMENT; batch++) {
                clock.advance(1);
                writer.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            }
            writer.roll();
        }
        writer.close();
        return dir;
    }

    private Map<Path, Long> fileSizes(Path dir) throws IOException {
        Map<Path, Long> sizes = new HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                sizes.put(file.getFileName(), Files.size(file));
            }
        }
        return sizes;
    }

    /** Mappings of the files in {@code dir} that the kernel lists for this process. */
    private static long kernelMappings(Path dir, String suffix) throws IOException {
        String prefix = dir.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains(prefix) && line.contains(suffix))
                .count();
    }

    @Test
    void aPartitionThatNobodyReadsMapsNothingUntilItsFirstIndexEntry() throws Exception {
        LogConfig sparse = LogConfig.builder()
                .segmentBytes(1 << 20)
                .indexIntervalBytes(4096)
                .build();
        try (Log log = Log.open(root.resolve("t-0"), sparse, 0, clock, scheduler)) {
            for (int batch = 0; batch < 20; batch++) {
                log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            }
            assertEquals(0, log.mappedSegmentCount());
            assertEquals(0, kernelMappings(log.dir(), ""), "a follower's partition costs no vm.max_map_count entry");

            log.updateHighWatermark(log.logEndOffset());
            LogReadResult read = log.read(0, 1 << 20, Long.MAX_VALUE);
            assertEquals(20, batches(read.records()).size());
            assertEquals(1, kernelMappings(log.dir(), ".log"), "the first read maps the .log");
            assertEquals(0, kernelMappings(log.dir(), "index"), "indexes without entries stay unmapped");
            read.lease().release();

            for (int batch = 0; batch < 60; batch++) {
                log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            }
            assertEquals(1, kernelMappings(log.dir(), ".index"), "the first entry maps the offset index");
            assertEquals(1, kernelMappings(log.dir(), ".timeindex"), "and the time index");
        }
    }

    @Test
    void anUnreadAppendableSegmentGivesItsLogMappingBackAndIsReadAfterwards() throws Exception {
        try (Log log = Log.open(root.resolve("t-0"), config, 0, clock, scheduler)) {
            for (int batch = 0; batch < BATCHES_PER_SEGMENT; batch++) {
                log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            }
            log.updateHighWatermark(log.logEndOffset());
            log.read(0, 1 << 20, Long.MAX_VALUE).lease().release();
            assertEquals(1, kernelMappings(log.dir(), ".log"));

            assertEquals(0, log.unmapIdleSegments(), "read since the last sweep: a second chance");
            assertEquals(1, log.unmapIdleSegments());
            assertEquals(0, kernelMappings(log.dir(), ".log"), "the .log is unmapped");
            assertEquals(2, kernelMappings(log.dir(), "index"), "the writer's indexes stay mapped");

            log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            log.updateHighWatermark(log.logEndOffset());
            LogReadResult read = log.read(0, 1 << 20, Long.MAX_VALUE);
            List<RecordBatch> batches = batches(read.records());
            read.lease().release();
            assertEquals(BATCHES_PER_SEGMENT + 1, batches.size(), "mapped again at its capacity, every batch read");
            assertEquals(BATCHES_PER_SEGMENT, batches.get(BATCHES_PER_SEGMENT).baseOffset());
        }
    }

    @Test
    void readersAndTheWriterRacingTheSweepOnTheAppendableSegmentReadWhatTheyAskedFor() throws Exception {
        LogConfig large = LogConfig.builder()
                .segmentBytes(64 << 20)
                .indexIntervalBytes(512)
                .build();
        try (Log log = Log.open(root.resolve("t-0"), large, 0, clock, scheduler)) {
            log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            log.updateHighWatermark(log.logEndOffset());
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                Future<?> sweeper = threads.submit(() -> {
                    while (!done.get()) {
                        log.unmapIdleSegments();
                    }
                });
                Future<?> writer = threads.submit(() -> {
                    for (int batch = 1; batch < 20_000; batch++) {
                        log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
                        log.updateHighWatermark(log.logEndOffset());
                    }
                    return null;
                });
                Random random = new Random();
                for (int reads = 0; reads < 20_000; reads++) {
                    long offset = random.nextLong(log.highWatermark());
                    LogReadResult result = log.read(offset, 1, Long.MAX_VALUE);
                    try {
                        assertEquals(offset, batches(result.records()).get(0).baseOffset());
                    } finally {
                        result.lease().release();
                    }
                }
                writer.get(60, TimeUnit.SECONDS);
                done.set(true);
                sweeper.get(10, TimeUnit.SECONDS);
                assertEquals(1, log.segmentCount(), "every read was of the appendable segment");
            } finally {
                done.set(true);
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aLoadedLogMapsNothingUntilASegmentIsRead() throws Exception {
        Path dir = writeLog();

        try (Log log = Log.open(dir, config, 0, clock, scheduler)) {
            assertEquals(SEGMENTS + 1, log.segmentCount());
            assertEquals(0, log.mappedSegmentCount(), "a clean load unmaps what it read");
            assertEquals(0, kernelMappings(dir, ""));
            LogReadResult read = log.read(BATCHES_PER_SEGMENT * 2L, 1 << 20, Long.MAX_VALUE);
            List<RecordBatch> batches = batches(read.records());
            assertEquals(BATCHES_PER_SEGMENT * 2L, batches.get(0).baseOffset());
            assertEquals(BATCHES_PER_SEGMENT, batches.size(), "the whole third segment, read from its new mapping");
            read.lease().release();
            assertEquals(1, log.mappedSegmentCount(), "the segment read is mapped, no other");
        }
    }

    @Test
    void aLogRecoveredAfterACrashMapsNothing() throws Exception {
        Path dir = writeLog();
        Files.delete(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE));

        try (Log log = Log.open(dir, config, 0, clock, scheduler)) {
            assertEquals(0, log.mappedSegmentCount(), "recovery unmaps what it validated");
            assertEquals(
                    BATCHES_PER_SEGMENT * 3L,
                    log.offsetForTimestamp(1_000_000L + BATCHES_PER_SEGMENT * 3L + 1)
                            .orElseThrow());
        }
    }

    @Test
    void mappingASealedSegmentAgainKeepsItsFilesAtTheirSealedLength() throws Exception {
        Path dir = writeLog();
        Map<Path, Long> sealed = fileSizes(dir);

        Map<Path, Long> after;
        try (Log log = Log.open(dir, config, 0, clock, scheduler)) {
            for (long offset = 0; offset < SEGMENTS * BATCHES_PER_SEGMENT; offset += BATCHES_PER_SEGMENT) {
                log.read(offset, 1 << 20, Long.MAX_VALUE).lease().release();
                log.offsetForTimestamp(1_000_000L + offset + 1);
            }
            after = fileSizes(dir);
        }
        for (Map.Entry<Path, Long> file : sealed.entrySet()) {
            String name = file.getKey().toString();
            boolean segmentFile = name.endsWith(".log") || name.endsWith("index");
            if (segmentFile && !name.startsWith(LogSegment.fileName(SEGMENTS * BATCHES_PER_SEGMENT, ""))) {
                assertEquals(file.getValue(), after.get(file.getKey()), name + " was not extended by its mapping");
            }
        }
    }

    /** A live log whose sealed segments were rolled (mapped at their preallocated capacity until now). */
    private Log rolledLog() throws LogAppendException {
        Log log = Log.open(root.resolve("t-0"), config, 0, clock, scheduler);
        for (int segment = 0; segment < SEGMENTS; segment++) {
            for (int batch = 0; batch < BATCHES_PER_SEGMENT; batch++) {
                clock.advance(1);
                log.appendAsLeader(batch(clock.millis(), 1, 100), 1);
            }
            log.roll();
        }
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    @Test
    void anIdleSealedSegmentIsUnmappedOnlyOnceItsLastLeaseIsReleased() throws Exception {
        try (Log log = rolledLog()) {
            long third = BATCHES_PER_SEGMENT * 2L;
            LogReadResult held = log.read(third, 1 << 20, Long.MAX_VALUE);
            byte[] before = bytes(held.records());
            assertEquals(SEGMENTS, log.mappedSegmentCount(), "rolled segments stay mapped until a sweep");

            assertEquals(SEGMENTS - 1, log.unmapIdleSegments(), "never read since they rolled");
            assertEquals(0, log.unmapIdleSegments(), "the segment read gets a second chance");
            assertEquals(0, log.unmapIdleSegments(), "and is held by the lease");
            assertEquals(1, log.mappedSegmentCount());
            assertArrayEquals(before, bytes(held.records()), "the lease's slice still reads the segment");

            held.lease().release();
            assertEquals(1, log.unmapIdleSegments());
            assertEquals(0, log.mappedSegmentCount(), "the active segment is empty and unread");

            LogReadResult again = log.read(third, 1 << 20, Long.MAX_VALUE);
            assertArrayEquals(before, bytes(again.records()), "mapped again, at its sealed length");
            again.lease().release();
            assertEquals(
                    before.length,
                    Files.size(log.dir().resolve(LogSegment.fileName(third, ".log"))),
                    "mapping a rolled segment again did not extend it to its capacity");
        }
    }

    @Test
    void aSegmentReadBetweenEverySweepStaysMapped() throws Exception {
        try (Log log = rolledLog()) {
            log.unmapIdleSegments();
            for (int fetch = 0; fetch < 5; fetch++) {
                log.read(BATCHES_PER_SEGMENT + fetch % BATCHES_PER_SEGMENT, 1, Long.MAX_VALUE)
                        .lease()
                        .release();
                assertEquals(0, log.unmapIdleSegments(), "a catch-up consumer's segment is not unmapped per fetch");
            }
            assertEquals(1, log.mappedSegmentCount());
        }
    }

    @Test
    void readersRacingTheSweepOnlyEverReadTheBatchesTheyAskedFor() throws Exception {
        try (Log log = rolledLog()) {
            long end = log.logEndOffset();
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                Future<?> sweeper = threads.submit(() -> {
                    while (!done.get()) {
                        log.unmapIdleSegments();
                    }
                });
                Callable<Long> reader = () -> {
                    Random random = new Random();
                    long reads = 0;
                    for (; reads < 20_000; reads++) {
                        long offset = random.nextLong(end);
                        LogReadResult result = log.read(offset, 1, Long.MAX_VALUE);
                        try {
                            RecordBatch batch = batches(result.records()).get(0);
                            assertEquals(offset, batch.baseOffset());
                        } finally {
                            result.lease().release();
                        }
                    }
                    return reads;
                };
                Future<Long> first = threads.submit(reader);
                Future<Long> second = threads.submit(reader);
                assertEquals(20_000L, first.get(60, TimeUnit.SECONDS));
                assertEquals(20_000L, second.get(60, TimeUnit.SECONDS));
                done.set(true);
                sweeper.get(10, TimeUnit.SECONDS);
            } finally {
                done.set(true);
                threads.shutdownNow();
            }
        }
    }
}
