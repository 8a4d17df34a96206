package io.ferry.storage;

import static io.ferry.storage.CompactedLogs.latest;
import static io.ferry.storage.CompactedLogs.readAll;
import static io.ferry.storage.CompactedLogs.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.storage.CompactedLogs.KeyValue;
import io.ferry.storage.internal.OffsetMap;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Cleaning passes run while a writer appends and rolls and readers read from random offsets: readers
 * only ever get whole valid batches, the first holding the offset asked for or the next one after a
 * gap, with increasing offsets; the writer is never refused; at the end every key's latest value is there.
 */
class LogCompactionConcurrencyTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        threads.shutdownNow();
    }

    @Test
    void readersAndTheWriterGoOnWhileTheCleanerSwapsSegments() throws Exception {
        ManualClock clock = new ManualClock(System.currentTimeMillis());
        LogConfig config = LogConfig.builder()
                .segmentBytes(2048)
                .indexIntervalBytes(128)
                .fileDeleteDelayMs(0)
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .build();
        Log log = Log.open(dir, config, 0, clock, scheduler);
        AtomicBoolean done = new AtomicBoolean();
        Runnable reader = () -> {
            Random random = new Random();
            long reads = 0;
            while (!done.get() || reads < 100) {
                long start = log.logStartOffset();
                long end = log.logEndOffset();
                if (end == start) {
                    continue;
                }
                long offset = start + (long) (random.nextDouble() * (end - start));
                try {
                    LogReadResult result = log.read(offset, 1 + random.nextInt(2000), Long.MAX_VALUE);
                    try {
                        List<RecordBatch> read = TestBatches.batches(result.records());
                        if (!read.isEmpty()) {
                            assertTrue(read.get(0).lastOffset() >= offset, "batch " + read.get(0) + " for " + offset);
                            for (int i = 1; i < read.size(); i++) {
                                assertTrue(read.get(i - 1).nextOffset()
                                        <= read.get(i).baseOffset());
                            }
                        }
                    } finally {
                        result.lease().release();
                    }
                } catch (OffsetOutOfRangeException e) {
                    throw new AssertionError("nothing moves the log start of a compacted log", e);
                }
                reads++;
            }
        };
        Map<String, String> model = new HashMap<>();
        Future<?> writer = threads.submit(() -> {
            Random random = new Random(7);
            for (int i = 0; i < 2000; i++) {
                String key = "k" + random.nextInt(40);
                String value = random.nextInt(10) == 0 ? null : "v" + i;
                model.put(key, value);
                log.appendAsLeader(
                        CompactedLogs.keyed(CompressionType.NONE, clock.millis(), List.of(new KeyValue(key, value))),
                        0);
                if (i % 100 == 0) {
                    log.flush();
                }
            }
            return null;
        });
        List<Future<?>> readers = List.of(threads.submit(reader), threads.submit(reader));
        OffsetMap map = new OffsetMap(24 * 64, 0.9);
        long cleanPoint = 0;
        int passes = 0;
        int cleaned = 0;
        try {
            while (!writer.isDone()) {
                CleanResult result = log.clean(cleanPoint, log.logEndOffset(), map);
                assertFalse(result.aborted());
                cleanPoint = result.cleanOffset();
                cleaned += result.segmentsCleaned();
                passes++;
            }
            writer.get();
        } finally {
            done.set(true);
        }
        for (Future<?> future : readers) {
            future.get(60, TimeUnit.SECONDS);
        }
        assertTrue(passes > 1 && cleaned > 0, passes + " passes cleaned " + cleaned + " segments");
        assertEquals(model, latest(records(readAll(log))));
        log.close();
    }
}
