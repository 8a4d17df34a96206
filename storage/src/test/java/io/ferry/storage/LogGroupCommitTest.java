package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: with a flush policy, appends do not force the file; they wait, and one flush on the
 * directory's flush thread (here a {@link QueuedExecutor} the test runs by hand) covers them all.
 */
class LogGroupCommitTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final QueuedExecutor flushThread = new QueuedExecutor();
    private Log log;

    @AfterEach
    void tearDown() {
        log.close();
        scheduler.shutdownNow();
    }

    private Log open(long flushMessages) {
        log = Log.open(
                dir,
                LogConfig.builder().flushIntervalMessages(flushMessages).build(),
                0,
                clock,
                scheduler,
                flushThread);
        return log;
    }

    private CompletableFuture<Void> append(int records) throws LogAppendException {
        return log.appendAsLeader(batch(clock.millis(), records, 20), 1).flushed();
    }

    @Test
    void appendsDoNotWaitForTheFsyncAndOneFlushCoversEveryAppendBeforeIt() throws Exception {
        open(1);
        List<CompletableFuture<Void>> flushed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            flushed.add(append(1));
        }
        assertEquals(5, log.logEndOffset());
        assertEquals(0, log.recoveryPoint(), "nothing was forced on the appending thread");
        assertFalse(flushed.stream().anyMatch(CompletableFuture::isDone));
        assertEquals(1, flushThread.queued(), "one flush for the five appends");

        flushThread.runQueued();

        assertTrue(flushed.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        assertEquals(5, log.recoveryPoint());
        assertEquals(0, flushThread.queued(), "nobody waits for another flush");
    }

    @Test
    void onlyTheAppendThatReachesFlushMessagesWaits() throws Exception {
        open(3);
        assertTrue(append(2).isDone());
        CompletableFuture<Void> third = append(1);
        assertTrue(append(1).isDone(), "counts from the third record again");
        assertFalse(third.isDone());
        flushThread.runQueued();
        assertTrue(third.isDone());
        assertEquals(4, log.recoveryPoint(), "the flush covers every append made before it began");
    }

    @Test
    void anAppendAfterTheFlushBeganWaitsForTheNextOne() throws Exception {
        open(1);
        CompletableFuture<Void> first = append(1);
        flushThread.runQueued();
        CompletableFuture<Void> second = append(1);
        assertTrue(first.isDone());
        assertFalse(second.isDone());
        assertEquals(1, log.recoveryPoint());
        flushThread.runQueued();
        assertTrue(second.isDone());
        assertEquals(2, log.recoveryPoint());
    }

    @Test
    void appendsATruncationRemovesBeforeTheirFlushFailAndTheRestAreFlushed() throws Exception {
        open(1);
        CompletableFuture<Void> kept = append(1);
        CompletableFuture<Void> removed = append(1);
        CompletableFuture<Void> alsoRemoved = append(1);
        log.truncateTo(1);

        for (CompletableFuture<Void> f : List.of(removed, alsoRemoved)) {
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            LogAppendException cause = assertInstanceOf(LogAppendException.class, e.getCause());
            assertEquals(LogAppendException.Reason.REMOVED_BEFORE_FLUSH, cause.reason());
        }
        assertFalse(kept.isDone());
        flushThread.runQueued();
        assertTrue(kept.isDone() && !kept.isCompletedExceptionally());
        assertEquals(1, log.recoveryPoint());
    }

    @Test
    void aCleanCloseCompletesTheAppendsWaitingAndADeleteFailsThem() throws Exception {
        open(1);
        CompletableFuture<Void> waiting = append(1);
        log.close();
        assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "close forced it to disk");

        log = Log.open(dir, LogConfig.builder().flushIntervalMessages(1).build(), 0, clock, scheduler, flushThread);
        CompletableFuture<Void> deleted = append(1);
        log.delete();
        ExecutionException e = assertThrows(ExecutionException.class, deleted::get);
        assertEquals(LogAppendException.Reason.REMOVED_BEFORE_FLUSH, ((LogAppendException) e.getCause()).reason());
    }

    @Test
    void aRolledSegmentAndFlushMsAreFlushedOnTheFlushThread() throws Exception {
        log = Log.open(dir, LogConfig.builder().flushIntervalMs(1000).build(), 0, clock, scheduler, flushThread);
        append(1);
        log.roll();
        assertEquals(0, log.recoveryPoint());
        flushThread.runQueued();
        assertEquals(1, log.recoveryPoint());

        append(1);
        clock.advance(1000);
        log.flushIfDue();
        assertEquals(1, log.recoveryPoint(), "queued, not forced on the caller's thread");
        flushThread.runQueued();
        assertEquals(2, log.recoveryPoint());
    }
}
