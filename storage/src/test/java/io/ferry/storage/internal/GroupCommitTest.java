package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.StorageException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private final Queue<Runnable> flushThread = new ArrayDeque<>();
    private LongSupplier flush;
    private final GroupCommit groupCommit = new GroupCommit(flushThread::add, () -> flush.getAsLong());

    @Test
    void aWaiterArrivingDuringAFlushIsCoveredByTheNextOneQueuedBehindTheOthers() {
        CompletableFuture<Void> first = groupCommit.waitFor(10);
        CompletableFuture<?>[] second = new CompletableFuture<?>[1];
        flush = () -> {
            second[0] = groupCommit.waitFor(20);
            return 10;
        };
        flushThread.remove().run();
        assertTrue(first.isDone());
        assertFalse(second[0].isDone());
        assertEquals(1, flushThread.size(), "queued again, behind what the thread had meanwhile");

        flush = () -> 20;
        flushThread.remove().run();
        assertTrue(second[0].isDone());
        assertTrue(flushThread.isEmpty());
    }

    @Test
    void aFlushThatDoesNotReachAWaiterIsFollowedByAnother() {
        CompletableFuture<Void> waiter = groupCommit.waitFor(10);
        flush = () -> 5;
        flushThread.remove().run();
        assertFalse(waiter.isDone(), "a truncation voided the flush: its recovery point stayed below");
        assertEquals(1, flushThread.size());
    }

    @Test
    void requestsWhileAFlushIsQueuedShareIt() {
        groupCommit.waitFor(1);
        groupCommit.request();
        groupCommit.waitFor(2);
        assertEquals(1, flushThread.size());
    }

    @Test
    void aFailedFlushFailsEveryWaiterWithItsExceptionAndTheNextWaiterQueuesAgain() {
        CompletableFuture<Void> a = groupCommit.waitFor(1);
        CompletableFuture<Void> b = groupCommit.waitFor(2);
        StorageException failure = new StorageException("fsync failed", null);
        flush = () -> {
            throw failure;
        };
        Runnable run = flushThread.remove();
        assertSame(failure, assertThrows(StorageException.class, run::run), "the flush thread sees it too");
        for (CompletableFuture<Void> f : new CompletableFuture[] {a, b}) {
            assertSame(failure, assertThrows(ExecutionException.class, f::get).getCause());
        }
        groupCommit.waitFor(3);
        assertEquals(1, flushThread.size());
    }

    @Test
    void removedWaitersAreHandedBackNewestLastAndNoFlushCompletesThem() {
        CompletableFuture<Void> kept = groupCommit.waitFor(1);
        CompletableFuture<Void> a = groupCommit.waitFor(2);
        CompletableFuture<Void> b = groupCommit.waitFor(3);
        assertEquals(java.util.List.of(a, b), groupCommit.removeAbove(1));
        flush = () -> 3;
        flushThread.remove().run();
        assertTrue(kept.isDone());
        assertFalse(a.isDone() || b.isDone(), "the caller fails them");
    }
}
