package io.ferry.storage.internal;

import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import io.ferry.storage.StorageException;
import java.io.Flushable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Everything about one log's fsyncs, the flush policy around its segment list: the recovery point
 * (every offset below it is on disk), the {@link FlushPolicy}'s counts, and the {@link GroupCommit} of the
 * appends waiting for a flush. It alone moves the recovery point up, and only past bytes it forced; a
 * truncation during a flush voids that flush's advance.
 *
 * <p>Thread-safety: it shares the log's lock. The methods documented "under the log's lock" are called by
 * its holder; {@link #flushToEnd()} takes the lock itself and forces the files outside it, so appends go on
 * while it runs; {@link #flushIfDue}, {@link #closed()} and {@link #fail} are called outside the lock, as
 * they complete or queue what waits; {@link #recoveryPoint()} may be read by any thread.
 */
public final class LogFlush {

    private final Path dir;
    private final Object lock;
    private final LogSegments segments;
    /** The log end offset, read under the lock. */
    private final LongSupplier logEnd;

    /** Forced before the recovery point moves: the leader epoch checkpoint, written without an fsync. */
    private final Flushable checkpoints;

    private final InstantSource clock;
    private final FlushPolicy policy;
    private final GroupCommit groupCommit;

    private volatile long recoveryPoint;
    /** Guarded by lock. Bumped by every truncation so that a flush begun before it does not advance the recovery point. */
    private long truncations;
    /** Guarded by lock. Bumped whenever a segment file is created or renamed, so a flush knows to force the directory. */
    private long directoryChanges = 1;
    /** Guarded by lock. The directory changes a flush has forced to disk. */
    private long directoryChangesFlushed;
    /** Guarded by lock: the log is closed, nothing is flushed any more. */
    private boolean closed;

    /**
     * @param lock          the log's lock
     * @param checkpoints   forces the log's files that describe its batches (the leader epoch checkpoint), so
     *                      that they are on disk before any batch they describe is below the recovery point;
     *                      safe to call outside the log's lock
     * @param recoveryPoint where the log was on disk when opened, within the log's bounds
     * @param flushThread   runs the group commit's flushes, one at a time
     */
    public LogFlush(
            Path dir,
            Object lock,
            LogSegments segments,
            LongSupplier logEnd,
            Flushable checkpoints,
            InstantSource clock,
            long recoveryPoint,
            Executor flushThread) {
        this.dir = dir;
        this.lock = lock;
        this.segments = segments;
        this.logEnd = logEnd;
        this.checkpoints = checkpoints;
        this.clock = clock;
        this.recoveryPoint = recoveryPoint;
        this.policy = new FlushPolicy(clock.millis());
        this.groupCommit = new GroupCommit(flushThread, this::flushToEnd);
    }

    /** Offsets below it have been forced to disk and are not validated again after a crash. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * Under the log's lock, after an append of {@code records} that ends at {@code endOffset}: a future that
     * completes once an fsync covers it if {@code flush.messages} asks for one now, else a completed one.
     */
    public CompletableFuture<Void> appended(int records, long endOffset, LogConfig config) {
        return policy.appended(records, config)
                ? groupCommit.waitFor(endOffset)
                : CompletableFuture.completedFuture(null);
    }

    /** Under the log's lock: a segment was rolled; its bytes are forced on the flush thread, and its new file's name. */
    public void rolled() {
        directoryChanges++;
        groupCommit.request();
    }

    /** Queues a flush on the flush thread if {@code flush.ms} asks for one. Takes the log's lock to decide. */
    public void flushIfDue(LogConfig config) {
        boolean due;
        synchronized (lock) {
            due = !closed && policy.dueByTime(clock.millis(), config);
        }
        if (due) {
            groupCommit.request();
        }
    }

    /** Under the log's lock, before a truncation changes segment files: voids the flushes under way. */
    public void truncating() {
        truncations++;
        directoryChanges++;
    }

    /**
     * Under the log's lock, after a truncation to {@code [logStart, logEnd)}: keeps the recovery point
     * inside the log and takes the appends it removed before their flush, for {@link #fail} once the lock
     * is released.
     */
    public List<CompletableFuture<Void>> truncated(long logStart, long logEnd) {
        recoveryPoint = Math.max(logStart, Math.min(recoveryPoint, logEnd));
        policy.truncated();
        return groupCommit.removeAbove(logEnd);
    }

    /** Under the log's lock: the log now starts at {@code logStart}; nothing below it needs recovery. */
    public void startMoved(long logStart) {
        recoveryPoint = Math.max(recoveryPoint, logStart);
    }

    /**
     * Forces the log to disk up to its end on the calling thread and returns the recovery point after.
     * Runs the fsyncs outside the log's lock.
     *
     * @throws StorageException a segment or the directory could not be forced
     */
    public long flushToEnd() {
        long offset;
        List<LogSegment> toFlush;
        long truncationsBefore;
        long mark;
        long directoryChangesBefore;
        synchronized (lock) {
            offset = logEnd.getAsLong();
            if (closed || offset <= recoveryPoint) {
                return recoveryPoint;
            }
            toFlush = segments.holding(recoveryPoint, offset);
            truncationsBefore = truncations;
            mark = policy.mark();
            directoryChangesBefore = directoryChanges == directoryChangesFlushed ? -1 : directoryChanges;
        }
        for (LogSegment segment : toFlush) {
            try {
                segment.flush();
            } catch (ClosedChannelException e) {
                // Deleted or truncated meanwhile: the check below will not advance the recovery point past it.
            } catch (IOException e) {
                throw new StorageException("flush of " + dir + " failed: " + e.getMessage(), e);
            }
        }
        // Every epoch of a batch below offset was assigned in the cache before offset was read above: the sync
        // writes it if it is new and forces it.
        try {
            checkpoints.flush();
        } catch (IOException e) {
            throw new StorageException("flush of the checkpoints in " + dir + " failed: " + e.getMessage(), e);
        }
        // The segments' directory entries (created by rolls, renamed by truncations) must be as durable
        // as their bytes, or a flushed segment could vanish with a power loss.
        if (directoryChangesBefore >= 0) {
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (IOException e) {
                throw new StorageException("flush of directory " + dir + " failed: " + e.getMessage(), e);
            }
        }
        synchronized (lock) {
            directoryChangesFlushed = Math.max(directoryChangesFlushed, directoryChangesBefore);
            if (truncations == truncationsBefore && offset > recoveryPoint && offset <= logEnd.getAsLong()) {
                recoveryPoint = offset;
            }
            if (offset == logEnd.getAsLong()) {
                policy.flushed(mark, clock.millis());
            }
            return recoveryPoint;
        }
    }

    /**
     * Under the log's lock, at a clean close: forces every segment with bytes above the recovery point and
     * moves it to the log end. No flush runs afterwards.
     */
    public void flushForClose() throws IOException {
        closed = true;
        for (LogSegment segment : segments.all()) {
            if (segment.nextOffset() > recoveryPoint) {
                segment.flush();
            }
        }
        checkpoints.flush();
        recoveryPoint = logEnd.getAsLong();
    }

    /**
     * Under the log's lock, as the log is deleted without a flush: no flush runs afterwards.
     *
     * @return the appends still waiting for a flush, for {@link #fail} once the lock is released
     */
    public List<CompletableFuture<Void>> stop() {
        closed = true;
        return groupCommit.removeAbove(recoveryPoint);
    }

    /**
     * Outside the log's lock, once a clean close ran {@link #flushForClose} (or failed in it): completes
     * the appends the recovery point covers and fails the others, which were not forced.
     */
    public void closed() {
        groupCommit.durableTo(recoveryPoint);
        fail(groupCommit.removeAbove(recoveryPoint), "closed");
    }

    /**
     * Fails appends whose records were removed before a flush covered them: they are not on disk, and
     * never will be. Called outside the log's lock, as what waited runs now.
     */
    public void fail(List<CompletableFuture<Void>> removed, String why) {
        if (!removed.isEmpty()) {
            LogAppendException failure = new LogAppendException(
                    LogAppendException.Reason.REMOVED_BEFORE_FLUSH,
                    "the log " + dir + " was " + why + " before the appended records were flushed");
            removed.forEach(f -> f.completeExceptionally(failure));
        }
    }
}
