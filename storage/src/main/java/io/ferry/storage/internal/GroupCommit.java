package io.ferry.storage.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Group commit for one log, as BookKeeper's journal does it: an append that the flush policy says must
 * be on disk before it is acknowledged registers a waiter instead of forcing the file itself; one flush
 * at a time runs on the log directory's flush thread, covers every append made before it began, and
 * completes every waiter it covered at once. Waiters that arrive while it runs are covered by the next
 * flush, queued when this one ends, so a burst of appends costs one or two fsyncs instead of one each.
 *
 * <p>The flush itself is the log's ({@link Flush}, which is {@link LogFlush#flushToEnd}): it alone moves
 * the recovery point, and only past bytes it forced. A waiter completes once the recovery point reaches
 * its offset, so no acknowledgement waiting here is sent before the fsync covering it completed.
 *
 * <p>Thread-safety: thread-safe. {@link #waitFor} and {@link #removeAbove} are called by the holder of
 * the log's lock (so waiters arrive in offset order); futures are always completed outside this object's
 * lock, and never under the log's lock by the flush thread.
 */
public final class GroupCommit {

    /** Forces the log to disk up to its end. */
    @FunctionalInterface
    public interface Flush {
        /**
         * @return the recovery point afterwards: every offset below it is on disk
         * @throws io.ferry.storage.StorageException the fsync failed
         */
        long flushToEnd();
    }

    private record Waiter(long offset, CompletableFuture<Void> durable) {}

    private final Executor flushThread;
    private final Flush flush;
    /** Guarded by this; by increasing offset. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Guarded by this: a flush is queued on the flush thread or running there. */
    private boolean queued;
    /** Guarded by this: a flush was asked for while one was queued or running, so one more must follow. */
    private boolean again;

    /**
     * @param flushThread runs the flushes, one at a time per log (the log directory's flush thread)
     */
    public GroupCommit(Executor flushThread, Flush flush) {
        this.flushThread = flushThread;
        this.flush = flush;
    }

    /**
     * A future that completes once the log is on disk below {@code offset}, or exceptionally if the flush
     * fails or the records before {@code offset} are removed first ({@link #removeAbove}); queues a flush.
     */
    public CompletableFuture<Void> waitFor(long offset) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        synchronized (this) {
            waiters.addLast(new Waiter(offset, durable));
        }
        request();
        return durable;
    }

    /** Queues a flush to the log end with nobody waiting for it ({@code flush.ms}, a rolled segment). */
    public void request() {
        synchronized (this) {
            if (queued) {
                again = true;
                return;
            }
            queued = true;
        }
        queue();
    }

    private void queue() {
        try {
            flushThread.execute(this::run);
        } catch (RejectedExecutionException e) {
            // Shutting down: the log's close flushes everything and completes the waiters.
            synchronized (this) {
                queued = false;
            }
        }
    }

    private void run() {
        synchronized (this) {
            again = false;
        }
        long durable;
        try {
            durable = flush.flushToEnd();
        } catch (RuntimeException e) {
            List<CompletableFuture<Void>> failed;
            synchronized (this) {
                failed = takeAbove(Long.MIN_VALUE);
                queued = false;
            }
            failed.forEach(f -> f.completeExceptionally(e));
            throw e;
        }
        List<CompletableFuture<Void>> covered = new ArrayList<>();
        boolean more;
        synchronized (this) {
            while (!waiters.isEmpty() && waiters.peekFirst().offset() <= durable) {
                covered.add(waiters.pollFirst().durable());
            }
            // A waiter not covered arrived during the flush (or a truncation voided it): flush again, behind
            // the other logs of the directory that are queued meanwhile.
            more = again || !waiters.isEmpty();
            queued = more;
        }
        covered.forEach(f -> f.complete(null));
        if (more) {
            queue();
        }
    }

    /**
     * Takes the waiters above {@code offset} (their records were removed: truncation, or the log is gone)
     * for the caller to fail once it released the log's lock.
     */
    public synchronized List<CompletableFuture<Void>> removeAbove(long offset) {
        return takeAbove(offset);
    }

    /** Completes the waiters at or below {@code recoveryPoint}, as a flush outside the flush thread (a clean close) made them durable. */
    public void durableTo(long recoveryPoint) {
        List<CompletableFuture<Void>> covered = new ArrayList<>();
        synchronized (this) {
            while (!waiters.isEmpty() && waiters.peekFirst().offset() <= recoveryPoint) {
                covered.add(waiters.pollFirst().durable());
            }
        }
        covered.forEach(f -> f.complete(null));
    }

    private List<CompletableFuture<Void>> takeAbove(long offset) {
        List<CompletableFuture<Void>> taken = new ArrayList<>();
        while (!waiters.isEmpty() && waiters.peekLast().offset() > offset) {
            taken.add(0, waiters.pollLast().durable());
        }
        return taken;
    }
}
