package io.ferry.storage;

import io.ferry.storage.internal.Cleaner;
import io.ferry.storage.internal.IoThrottle;
import io.ferry.storage.internal.OffsetMap;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner threads ({@code log.cleaner.threads}), as Kafka's {@code LogCleaner} and
 * {@code LogCleanerManager}: each thread in turn takes the compacted log that most needs cleaning, runs
 * one pass over it ({@link LogManager#clean}) with its own key map (an equal share of
 * {@code log.cleaner.dedupe.buffer.size}, allocated at its first pass), and sleeps {@code log.cleaner.backoff.ms} when no log needs it.
 *
 * <p>A log needs cleaning when it has dirty sealed segments below its high watermark and either their
 * share of its cleanable bytes reaches {@code min.cleanable.dirty.ratio}, or its oldest dirty record
 * has waited longer than {@code max.compaction.lag.ms}; such overdue logs go first, then the dirtiest.
 * Two threads never clean one log. A pass that fails (a corrupt batch, an I/O error) marks the log
 * uncleanable until the broker restarts, with the reason logged, and the threads go on with the others.
 *
 * <p>Every thread's reads and writes count against one {@link IoThrottle}. Stopping never interrupts a
 * thread (an interrupt would close the segments' file channels under other readers): the threads see
 * the stop at their next batch or sleep, and a pass in progress is abandoned with nothing swapped in.
 */
final class LogCleaner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

    private static final double MIB = 1024.0 * 1024.0;

    private final LogManager logs;
    private final CleanerConfig config;
    private final InstantSource clock;
    private final IoThrottle throttle;
    private final List<Thread> threads = new ArrayList<>();

    /** Guarded by {@code this}: the logs a thread is cleaning. */
    private final Set<TopicPartition> inProgress = new HashSet<>();

    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    private final LongAdder passes = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder recordsDropped = new LongAdder();
    private final LongAdder cleaningTimeMs = new LongAdder();
    private volatile long maxCompactionDelayMs;
    private volatile boolean stopping;

    LogCleaner(LogManager logs, CleanerConfig config, InstantSource clock, ThreadFactory threadFactory) {
        this.logs = logs;
        this.config = config;
        this.clock = clock;
        this.throttle = new IoThrottle(config.ioMaxBytesPerSecond(), System.nanoTime());
        for (int i = 0; i < config.threads(); i++) {
            threads.add(threadFactory.newThread(this::run));
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    CleanerStats stats() {
        return new CleanerStats(
                passes.sum(),
                bytesRead.sum(),
                bytesWritten.sum(),
                recordsDropped.sum(),
                cleaningTimeMs.sum(),
                maxCompactionDelayMs,
                uncleanable.size());
    }

    private void run() {
        OffsetMap map = null;
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            Chosen chosen = choose();
            if (chosen == null) {
                pause(TimeUnit.MILLISECONDS.toNanos(config.backoffMs()));
                continue;
            }
            if (map == null) {
                // Allocated at the first pass, so a broker without compacted topics never holds it.
                map = new OffsetMap(config.dedupeBytesPerThread(), config.loadFactor());
            }
            try {
                clean(chosen, map);
            } finally {
                synchronized (this) {
                    inProgress.remove(chosen.tp());
                }
            }
        }
    }

    private record Chosen(TopicPartition tp, Log log, CleanableSection section) {}

    /** The log that most needs cleaning, marked in progress; null if none does. */
    private synchronized Chosen choose() {
        if (stopping) {
            return null;
        }
        long now = clock.millis();
        long maxDelay = 0;
        Chosen best = null;
        boolean bestOverdue = false;
        Map<TopicPartition, Log> all = logs.allLogs();
        uncleanable.retainAll(all.keySet());
        for (Map.Entry<TopicPartition, Log> entry : all.entrySet()) {
            TopicPartition tp = entry.getKey();
            Log candidate = entry.getValue();
            LogConfig logConfig = candidate.config();
            if (!logConfig.cleanupPolicy().compacts() || inProgress.contains(tp) || uncleanable.contains(tp)) {
                continue;
            }
            CleanableSection section;
            try {
                section = candidate.cleanableSection(logs.cleanOffset(tp), candidate.highWatermark());
            } catch (IllegalArgumentException | IllegalStateException | StorageException e) {
                continue; // deleted or closed meanwhile
            }
            if (section.dirtyBytes() == 0) {
                continue;
            }
            long delay = section.compactionDelayMs(now, logConfig.maxCompactionLagMs());
            maxDelay = Math.max(maxDelay, delay);
            boolean overdue = delay > 0;
            if (!overdue && section.dirtyRatio() < logConfig.minCleanableDirtyRatio()) {
                continue;
            }
            if (best == null
                    || (overdue && !bestOverdue)
                    || (overdue == bestOverdue
                            && section.dirtyRatio() > best.section().dirtyRatio())) {
                best = new Chosen(tp, candidate, section);
                bestOverdue = overdue;
            }
        }
        maxCompactionDelayMs = maxDelay;
        if (best != null) {
            inProgress.add(best.tp());
        }
        return best;
    }

    private void clean(Chosen chosen, OffsetMap map) {
        TopicPartition tp = chosen.tp();
        long firstDirty = logs.cleanOffset(tp);
        long startNanos = System.nanoTime();
        CleanResult result;
        try {
            result = logs.clean(tp, chosen.log().highWatermark(), map, this::onBytes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return; // the log was deleted, closed or stopped compacting since it was chosen
        } catch (StorageException | IOException e) {
            uncleanable.add(tp);
            log.error(
                    "Cannot clean {}; it stays uncleanable until the broker restarts: {}",
                    tp.dirName(),
                    e.getMessage());
            return;
        }
        long elapsedNanos = System.nanoTime() - startNanos;
        passes.increment();
        bytesRead.add(result.bytesRead());
        bytesWritten.add(result.bytesWritten());
        recordsDropped.add(result.recordsDropped());
        cleaningTimeMs.add(TimeUnit.NANOSECONDS.toMillis(elapsedNanos));
        if (result.aborted()) {
            log.info(
                    "Cleaning {} stopped midway (the log changed or the broker is stopping); it resumes from {}",
                    tp.dirName(),
                    result.cleanOffset());
            return;
        }
        double seconds = elapsedNanos / 1e9;
        double mib = result.bytesRead() / MIB;
        log.info(String.format(
                "Cleaned %s: dirty section [%d, %d), %.1f MB of log processed in %.3f s (%.1f MB/s); indexed %.1f MB,"
                        + " wrote %.1f MB, removed %d records",
                tp.dirName(),
                firstDirty,
                result.cleanOffset(),
                mib,
                seconds,
                seconds > 0 ? mib / seconds : 0,
                result.mapBytesRead() / MIB,
                result.bytesWritten() / MIB,
                result.recordsDropped()));
    }

    /** Every batch a pass reads or writes: stops it if the cleaner is stopping, else holds it to the I/O rate. */
    private void onBytes(long bytes) {
        if (stopping) {
            throw new Cleaner.Aborted("the log cleaner is stopping");
        }
        long pauseNanos = throttle.record(bytes, System.nanoTime());
        if (pauseNanos > 0) {
            pause(pauseNanos);
            if (stopping) {
                throw new Cleaner.Aborted("the log cleaner is stopping");
            }
        }
    }

    /** Sleeps up to {@code nanos}, woken early by {@link #close()}. */
    private synchronized void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0 && !stopping; left = deadline - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the threads and waits for them: a pass in progress stops at its next batch. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
