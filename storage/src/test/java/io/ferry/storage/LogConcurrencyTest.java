package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.RecordBatch;
import java.nio.file.Path;
import java.util.List;
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
 * Readers run without the log's lock while one writer appends, rolls, truncates and deletes segments, and
 * release each read when done, so segments are unmapped while other reads are under way.
 */
class LogConcurrencyTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService readers = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        readers.shutdownNow();
    }

    @Test
    void readersOnlyEverSeeWholeValidBatchesAtTheOffsetsTheyAskedFor() throws Exception {
        ManualClock clock = new ManualClock(1_000L);
        LogConfig config = LogConfig.builder()
                .segmentBytes(4096)
                .indexIntervalBytes(256)
                .retentionBytes(16 * 1024)
                .fileDeleteDelayMs(0)
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
                        List<RecordBatch> read = batches(result.records());
                        if (!read.isEmpty()) {
                            assertTrue(
                                    read.get(0).baseOffset() <= offset
                                            && offset <= read.get(0).lastOffset(),
                                    "batch " + read.get(0) + " for offset " + offset);
                            for (int i = 1; i < read.size(); i++) {
                                assertEquals(
                                        read.get(i - 1).nextOffset(),
                                        read.get(i).baseOffset());
                            }
                        }
                    } finally {
                        // Deleted and truncated segments are unmapped as soon as their last reader is done.
                        result.lease().release();
                    }
                } catch (OffsetOutOfRangeException e) {
                    // Retention or truncation moved the range after it was sampled.
                }
                reads++;
            }
        };
        List<Future<?>> running = List.of(readers.submit(reader), readers.submit(reader));
        try {
            Random random = new Random(1);
            for (int i = 0; i < 1000; i++) {
                log.appendAsLeader(batch(clock.millis(), 1 + random.nextInt(3), random.nextInt(100)), 1);
                if (i % 97 == 0) {
                    log.truncateTo(Math.max(log.logStartOffset(), log.logEndOffset() - random.nextInt(20)));
                }
                if (i % 50 == 0) {
                    log.updateHighWatermark(log.logEndOffset());
                    log.deleteSegmentsByRetention();
                }
            }
        } finally {
            done.set(true);
        }
        for (Future<?> future : running) {
            future.get(60, TimeUnit.SECONDS);
        }
        log.close();
    }
}
