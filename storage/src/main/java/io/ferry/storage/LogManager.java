package io.ferry.storage;

import io.ferry.storage.internal.Cleaner;
import io.ferry.storage.internal.LogLoader;
import io.ferry.storage.internal.OffsetMap;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The partition logs of a broker, spread over {@code log.dirs}. At start it locks every directory
 * (a second broker on the same directories fails with {@link LogDirectoryInUseException}), recovers
 * every log from its checkpointed recovery point, and restores high watermarks and log starts; then it runs
 * retention, the {@code flush.ms} policy, producer expiration and checkpointing on the injected scheduler, and on
 * {@link #close()} shuts every log down cleanly.
 *
 * <p>Each log directory has one flush thread: every fsync of the logs in it (the flush policy's, rolled
 * segments') runs there, one log at a time, each covering all that log's appends made before it began
 * (group commit, see {@link Log}). A flush that fails marks the directory failed.
 *
 * <p>Checkpoint files per directory: {@value #RECOVERY_POINT_CHECKPOINT} (offsets below which each log
 * was flushed), {@value #HIGH_WATERMARK_CHECKPOINT} (high watermarks as replication last set them) and
 * {@value #LOG_START_OFFSET_CHECKPOINT} (log start offsets, which may fall inside a segment) and
 * {@value #CLEANER_OFFSET_CHECKPOINT} (each compacted log's clean point, Kafka's file: offsets below it
 * were cleaned; written after every cleaning pass, {@link #clean}).
 *
 * <p>A directory where an I/O operation failed ({@link StorageException}) is marked failed until the
 * process restarts ({@link #failedDirs()}): its own tasks mark it, and so does whoever else gets such an
 * exception from one of its logs ({@link #markFailed}). Like Kafka's offline log directories, a failed
 * directory is not used again; the broker reports it and needs a restart once the disk is fixed.
 *
 * <p>Thread-safe: creation and deletion of logs are serialised on this object; lookups are lock-free.
 */
public final class LogManager implements AutoCloseable {

    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
    /**
     * The controller's metadata directory (Kafka's name). A combined broker and controller keeps it in
     * the first log directory by default; it is not a partition and is skipped when loading.
     */
    public static final String CLUSTER_METADATA_DIR = "__cluster_metadata";

    private final LogManagerConfig config;
    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final List<Path> dirs;
    private final List<LogDirectoryLock> locks;
    /** Log directory → its flush thread. */
    private final Map<Path, ExecutorService> flushThreads = new HashMap<>();

    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    /** Clean points of compacted logs, from {@value #CLEANER_OFFSET_CHECKPOINT} and cleaning passes. */
    private final Map<TopicPartition, Long> cleanOffsets = new ConcurrentHashMap<>();

    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    /** Failed directory → the first failure's message. */
    private final Map<Path, String> failedDirs = new ConcurrentHashMap<>();
    /**
     * Logs deleted since the checkpoints were last written: their entries are still in those files. Guarded by
     * this object's lock.
     */
    private final Set<TopicPartition> deletedSinceCheckpoint = new HashSet<>();

    private volatile boolean retentionHeld;

    /** Null when {@code log.cleaner.threads=0}. */
    private final LogCleaner cleaner;

    private boolean closed;

    /** Whether retention runs from the start or waits for {@link #releaseRetention()}. */
    public enum RetentionStart {
        RUNNING,
        HELD
    }

    private LogManager(
            LogManagerConfig config,
            InstantSource clock,
            ScheduledExecutorService scheduler,
            List<Path> dirs,
            List<LogDirectoryLock> locks,
            RetentionStart retention,
            ThreadFactory flushThreadFactory,
            ThreadFactory cleanerThreadFactory) {
        this.retentionHeld = retention == RetentionStart.HELD;
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.dirs = dirs;
        this.locks = locks;
        for (Path dir : dirs) {
            flushThreads.put(dir, Executors.newSingleThreadExecutor(flushThreadFactory));
        }
        this.cleaner = config.cleaner().threads() > 0
                ? new LogCleaner(this, config.cleaner(), clock, cleanerThreadFactory)
                : null;
    }

    /** Daemon threads named {@code ferry-log-flusher}, for a manager whose caller does not make them. */
    private static Thread flushThread(Runnable runnable) {
        Thread thread = new Thread(runnable, "ferry-log-flusher");
        thread.setDaemon(true);
        return thread;
    }

    /** Daemon threads named {@code ferry-log-cleaner}, for a manager whose caller does not make them. */
    private static Thread cleanerThread(Runnable runnable) {
        Thread thread = new Thread(runnable, "ferry-log-cleaner");
        thread.setDaemon(true);
        return thread;
    }

    /** Runs {@code dir}'s flushes on its flush thread; one that fails marks the directory failed. */
    private Executor flusherOf(Path dir) {
        ExecutorService thread = flushThreads.get(dir);
        return flush -> thread.execute(() -> {
            try {
                flush.run();
            } catch (StorageException e) {
                markDirFailed(dir, e.getMessage());
            }
        });
    }

    /**
     * Locks and loads every directory of {@code config.logDirs()}, creating missing ones.
     *
     * @param topicConfigs the settings of a topic's logs found on disk ({@code null} for the default)
     * @param scheduler    runs retention, flushes, checkpoints and delayed file deletion; not shut down here
     * @throws LogDirectoryInUseException if another process (or manager) holds one of the directories
     * @throws IOException                if a directory or checkpoint cannot be read
     * @throws StorageException           if a log cannot be recovered
     */
    public static LogManager start(
            LogManagerConfig config,
            Function<String, LogConfig> topicConfigs,
            InstantSource clock,
            ScheduledExecutorService scheduler)
            throws IOException {
        return start(config, topicConfigs, clock, scheduler, RetentionStart.RUNNING);
    }

    /**
     * As {@link #start(LogManagerConfig, Function, InstantSource, ScheduledExecutorService)}, with
     * retention {@link RetentionStart#HELD} until {@link #releaseRetention()} when the logs' settings are
     * not final yet: a broker learns its topics' overrides only from its first metadata view, and a topic
     * kept forever must not lose segments to the broker's default retention in the meantime.
     */
    public static LogManager start(
            LogManagerConfig config,
            Function<String, LogConfig> topicConfigs,
            InstantSource clock,
            ScheduledExecutorService scheduler,
            RetentionStart retention)
            throws IOException {
        return start(
                config, topicConfigs, clock, scheduler, retention, LogManager::flushThread, LogManager::cleanerThread);
    }

    /**
     * As {@link #start(LogManagerConfig, Function, InstantSource, ScheduledExecutorService, RetentionStart)},
     * with the flush threads (one per log directory) made by {@code flushThreads} and the log cleaner threads
     * ({@code log.cleaner.threads}) by {@code cleanerThreads}, so that whoever runs the broker sees an
     * {@link Error} that ends one.
     */
    public static LogManager start(
            LogManagerConfig config,
            Function<String, LogConfig> topicConfigs,
            InstantSource clock,
            ScheduledExecutorService scheduler,
            RetentionStart retention,
            ThreadFactory flushThreads,
            ThreadFactory cleanerThreads)
            throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<LogDirectoryLock> locks = new ArrayList<>();
        try {
            for (Path dir : config.logDirs()) {
                Path normalized = dir.toAbsolutePath().normalize();
                Files.createDirectories(normalized);
                locks.add(LogDirectoryLock.acquire(normalized));
                dirs.add(normalized);
            }
            LogManager manager =
                    new LogManager(config, clock, scheduler, dirs, locks, retention, flushThreads, cleanerThreads);
            try {
                manager.loadLogs(topicConfigs);
            } catch (IOException | RuntimeException e) {
                for (Log log : manager.logs.values()) {
                    try {
                        log.close();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                manager.flushThreads.values().forEach(ExecutorService::shutdownNow);
                throw e;
            }
            manager.schedule();
            if (manager.cleaner != null) {
                manager.cleaner.start();
            }
            return manager;
        } catch (IOException | RuntimeException e) {
            for (LogDirectoryLock lock : locks) {
                try {
                    lock.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private void loadLogs(Function<String, LogConfig> topicConfigs) throws IOException {
        Map<TopicPartition, Path> found = new HashMap<>();
        for (Path dir : dirs) {
            for (Path partitionDir : partitionDirs(dir)) {
                TopicPartition tp =
                        TopicPartition.fromDirName(partitionDir.getFileName().toString());
                Path previous = found.put(tp, partitionDir);
                if (previous != null) {
                    throw new StorageException("partition " + tp + " exists in two log directories: " + previous
                            + " and " + partitionDir + "; remove the stale copy");
                }
            }
        }
        for (Path dir : dirs) {
            Map<TopicPartition, Long> recoveryPoints =
                    new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).read();
            Map<TopicPartition, Long> highWatermarks =
                    new OffsetCheckpointFile(dir.resolve(HIGH_WATERMARK_CHECKPOINT)).read();
            Map<TopicPartition, Long> logStarts =
                    new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).read();
            Map<TopicPartition, Long> cleaned = new OffsetCheckpointFile(dir.resolve(CLEANER_OFFSET_CHECKPOINT)).read();
            // Logs deleted after the last checkpoint before a crash: still named by it (see getOrCreateLog).
            for (Map<TopicPartition, Long> checkpoint : List.of(recoveryPoints, highWatermarks, logStarts, cleaned)) {
                for (TopicPartition tp : checkpoint.keySet()) {
                    if (!found.containsKey(tp)) {
                        deletedSinceCheckpoint.add(tp);
                    }
                }
            }
            ExecutorService recovery = Executors.newFixedThreadPool(config.recoveryThreadsPerDataDir());
            try {
                Map<TopicPartition, Future<Log>> opening = new HashMap<>();
                found.forEach((tp, partitionDir) -> {
                    if (partitionDir.getParent().equals(dir)) {
                        LogConfig logConfig = Optional.ofNullable(topicConfigs.apply(tp.topic()))
                                .orElse(config.defaultLogConfig());
                        long recoveryPoint = recoveryPoints.getOrDefault(tp, 0L);
                        opening.put(
                                tp,
                                recovery.submit(() -> Log.open(
                                        partitionDir, logConfig, recoveryPoint, clock, scheduler, flusherOf(dir))));
                    }
                });
                for (Map.Entry<TopicPartition, Future<Log>> entry : opening.entrySet()) {
                    Log log = await(entry.getValue(), entry.getKey());
                    log.updateHighWatermark(highWatermarks.getOrDefault(entry.getKey(), 0L));
                    // A start inside a segment (DeleteRecords, a follower's leader) is only in the checkpoint;
                    // never above what survived a crash.
                    log.advanceLogStartOffset(Math.min(logStarts.getOrDefault(entry.getKey(), 0L), log.logEndOffset()));
                    logs.put(entry.getKey(), log);
                    Long cleanOffset = cleaned.get(entry.getKey());
                    if (cleanOffset != null) {
                        cleanOffsets.put(entry.getKey(), cleanOffset);
                    }
                }
            } finally {
                recovery.shutdownNow();
            }
        }
    }

    private static Log await(Future<Log> future, TopicPartition tp) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while recovering " + tp, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException(
                    "recovery of " + tp + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Partition directories of {@code dir}; removes directories whose deletion a crash interrupted. */
    private static List<Path> partitionDirs(Path dir) throws IOException {
        List<Path> partitionDirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals(CLUSTER_METADATA_DIR)) {
                    continue;
                }
                if (name.endsWith(Log.DELETED_DIR_SUFFIX)) {
                    LogLoader.deleteRecursively(entry);
                } else {
                    partitionDirs.add(entry);
                }
            }
        }
        return partitionDirs;
    }

    private void schedule() {
        tasks.add(scheduler.scheduleWithFixedDelay(
                this::runRetention,
                config.retentionCheckIntervalMs(),
                config.retentionCheckIntervalMs(),
                TimeUnit.MILLISECONDS));
        if (config.flushSchedulerIntervalMs() != Long.MAX_VALUE) {
            tasks.add(scheduler.scheduleWithFixedDelay(
                    this::runFlushPolicy,
                    config.flushSchedulerIntervalMs(),
                    config.flushSchedulerIntervalMs(),
                    TimeUnit.MILLISECONDS));
        }
        tasks.add(scheduler.scheduleWithFixedDelay(
                this::removeExpiredProducers,
                config.producerIdExpirationCheckIntervalMs(),
                config.producerIdExpirationCheckIntervalMs(),
                TimeUnit.MILLISECONDS));
        long mappingSweepMs = config.segmentMappingIdleMs() / 2;
        tasks.add(scheduler.scheduleWithFixedDelay(
                this::unmapIdleSegments, mappingSweepMs, mappingSweepMs, TimeUnit.MILLISECONDS));
        tasks.add(scheduler.scheduleWithFixedDelay(
                this::checkpointQuietly,
                config.flushOffsetCheckpointIntervalMs(),
                config.flushOffsetCheckpointIntervalMs(),
                TimeUnit.MILLISECONDS));
    }

    /** Lets retention run after a {@link RetentionStart#HELD} start. */
    public void releaseRetention() {
        retentionHeld = false;
    }

    /** Applies retention to every log, unless it is held. A failing log does not stop the others. */
    public void runRetention() {
        if (retentionHeld) {
            return;
        }
        for (Log log : logs.values()) {
            try {
                log.deleteSegmentsByRetention();
            } catch (StorageException e) {
                markFailed(log, e);
            } catch (RuntimeException e) {
                // The log was closed or deleted meanwhile: nothing to retain.
            }
        }
    }

    private void runFlushPolicy() {
        for (Log log : logs.values()) {
            try {
                log.flushIfDue();
            } catch (StorageException e) {
                markFailed(log, e);
            } catch (RuntimeException e) {
                // As in runRetention.
            }
        }
    }

    /** Makes every log forget its expired producers ({@code producer.id.expiration.ms}). */
    public void removeExpiredProducers() {
        for (Log log : logs.values()) {
            try {
                log.removeExpiredProducers();
            } catch (RuntimeException e) {
                // The log was closed or deleted meanwhile: nothing to expire.
            }
        }
    }

    /**
     * Gives back the memory mappings of sealed segments unread for {@code log.segment.mapping.idle.ms}, so a
     * broker's mappings follow what is read rather than accumulating as segments roll.
     */
    private void unmapIdleSegments() {
        for (Log log : logs.values()) {
            try {
                log.unmapIdleSegments();
            } catch (RuntimeException e) {
                // As in removeExpiredProducers; the next sweep tries again.
            }
        }
    }

    private synchronized void checkpointQuietly() {
        boolean all = true;
        for (Path dir : dirs) {
            try {
                checkpoint(dir);
            } catch (IOException e) {
                // The previous checkpoint stays valid (writes are atomic), but the directory cannot be written.
                markDirFailed(dir, "writing its checkpoints failed: " + e);
                all = false;
            } catch (RuntimeException e) {
                // Not an I/O failure: retried at the next interval, the previous checkpoint still valid.
                all = false;
            }
        }
        if (all) {
            deletedSinceCheckpoint.clear();
        }
    }

    /**
     * Marks the directory holding {@code log} failed: an operation on the log threw {@code failure}.
     * Thread-safe; the first failure of a directory is the one kept.
     */
    public void markFailed(Log log, StorageException failure) {
        markDirFailed(log.dir().getParent(), failure.getMessage());
    }

    private void markDirFailed(Path dir, String failure) {
        failedDirs.putIfAbsent(dir, failure);
    }

    /** Directories that failed since start → the first failure's message; a snapshot. */
    public Map<Path, String> failedDirs() {
        return Map.copyOf(failedDirs);
    }

    /** Writes every directory's recovery-point, high-watermark and log-start checkpoints now. */
    public synchronized void checkpoint() throws IOException {
        for (Path dir : dirs) {
            checkpoint(dir);
        }
        deletedSinceCheckpoint.clear();
    }

    private synchronized void checkpoint(Path dir) throws IOException {
        Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
        Map<TopicPartition, Long> highWatermarks = new HashMap<>();
        Map<TopicPartition, Long> logStarts = new HashMap<>();
        logs.forEach((tp, log) -> {
            if (log.dir().getParent().equals(dir)) {
                recoveryPoints.put(tp, log.recoveryPoint());
                highWatermarks.put(tp, log.highWatermark());
                logStarts.put(tp, log.logStartOffset());
            }
        });
        new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).write(recoveryPoints);
        new OffsetCheckpointFile(dir.resolve(HIGH_WATERMARK_CHECKPOINT)).write(highWatermarks);
        new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).write(logStarts);
        writeCleanerCheckpoint(dir);
    }

    private synchronized void writeCleanerCheckpoint(Path dir) throws IOException {
        Map<TopicPartition, Long> cleaned = new HashMap<>();
        logs.forEach((tp, log) -> {
            Long cleanOffset = cleanOffsets.get(tp);
            if (cleanOffset != null && log.dir().getParent().equals(dir)) {
                cleaned.put(tp, cleanOffset);
            }
        });
        new OffsetCheckpointFile(dir.resolve(CLEANER_OFFSET_CHECKPOINT)).write(cleaned);
    }

    /**
     * The offset below which the log of {@code tp} is clean, as the last pass left it: its log start if
     * it was never cleaned, or if the recorded point is outside the log (retention moved the start past
     * it, or a truncation cut below it), as Kafka's cleaner manager resets it.
     */
    public long cleanOffset(TopicPartition tp) {
        Log log = logs.get(tp);
        if (log == null) {
            throw new IllegalArgumentException("no log for " + tp);
        }
        long recorded = cleanOffsets.getOrDefault(tp, log.logStartOffset());
        return recorded < log.logStartOffset() || recorded > log.logEndOffset() ? log.logStartOffset() : recorded;
    }

    /**
     * Runs one cleaning pass over the log of {@code tp} ({@link Log#clean}) from its clean point, then
     * records the new clean point in the directory's {@value #CLEANER_OFFSET_CHECKPOINT} at once. The
     * pass runs on the caller's thread (a log cleaner thread) without this object's lock.
     *
     * @param upperBoundOffset nothing at or above it is cleaned (the high watermark, or
     *                         {@code min.compaction.lag.ms}'s bound)
     */
    public CleanResult clean(TopicPartition tp, long upperBoundOffset, OffsetMap map) throws IOException {
        return clean(tp, upperBoundOffset, map, Cleaner.Progress.NONE);
    }

    /** As {@link #clean(TopicPartition, long, OffsetMap)}, telling {@code progress} of every batch read or written. */
    CleanResult clean(TopicPartition tp, long upperBoundOffset, OffsetMap map, Cleaner.Progress progress)
            throws IOException {
        Log log = logs.get(tp);
        if (log == null) {
            throw new IllegalArgumentException("no log for " + tp);
        }
        CleanResult result = log.clean(cleanOffset(tp), upperBoundOffset, map, progress);
        if (!result.aborted() && logs.get(tp) == log) {
            cleanOffsets.put(tp, result.cleanOffset());
            writeCleanerCheckpoint(log.dir().getParent());
        }
        return result;
    }

    /** What the log cleaner threads have done; {@link CleanerStats#NONE} if they are off. */
    public CleanerStats cleanerStats() {
        return cleaner == null ? CleanerStats.NONE : cleaner.stats();
    }

    /**
     * The dirty share of the cleanable bytes of {@code tp}'s log ({@link CleanableSection#dirtyRatio()}),
     * which {@code min.cleanable.dirty.ratio} is compared with; NaN if there is no such log or it does not
     * compact.
     */
    public double dirtyRatio(TopicPartition tp) {
        Log log = logs.get(tp);
        if (log == null || !log.config().cleanupPolicy().compacts()) {
            return Double.NaN;
        }
        try {
            return log.cleanableSection(cleanOffset(tp), log.highWatermark()).dirtyRatio();
        } catch (IllegalArgumentException e) {
            return Double.NaN; // deleted meanwhile
        }
    }

    /** The log of {@code tp}, if this broker has one. */
    public Optional<Log> getLog(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /** Every log, by partition; a snapshot. */
    public Map<TopicPartition, Log> allLogs() {
        return Map.copyOf(logs);
    }

    /**
     * Runs {@code action} for every log open now, without the copy {@link #allLogs} makes: for a broker's
     * metadata thread, which walks every log for each view it applies.
     */
    public void forEachLog(BiConsumer<TopicPartition, Log> action) {
        logs.forEach(action);
    }

    /**
     * The log of {@code tp}, created empty with {@code logConfig} in the directory holding the fewest
     * partitions if there is none (an existing log keeps the settings it was opened with).
     */
    public synchronized Log getOrCreateLog(TopicPartition tp, LogConfig logConfig) {
        ensureOpen();
        Log existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        // Counting a directory's logs walks every log: skipped when there is no choice, as when a broker of
        // one log directory opens thousands of new partitions.
        Path dir = dirs.size() == 1
                ? dirs.get(0)
                : dirs.stream()
                        .min(Comparator.comparingLong(this::partitionCount))
                        .orElseThrow();
        Path partitionDir = dir.resolve(tp.dirName()).normalize();
        if (!dir.equals(partitionDir.getParent())) {
            throw new InvalidTopicException(
                    "partition directory " + partitionDir + " would escape log directory " + dir);
        }
        if (deletedSinceCheckpoint.contains(tp)) {
            // The checkpoints still hold the deleted log's recovery point, high watermark and log start: after a
            // crash the new log of the same name would take them.
            try {
                checkpoint();
            } catch (IOException e) {
                throw new StorageException(
                        "cannot create " + tp + ": the checkpoints still name its deleted log and could not be"
                                + " rewritten: " + e.getMessage(),
                        e);
            }
        }
        Log log;
        try {
            log = Log.open(partitionDir, logConfig, 0, clock, scheduler, flusherOf(dir));
        } catch (StorageException e) {
            markDirFailed(dir, e.getMessage());
            throw e;
        }
        logs.put(tp, log);
        return log;
    }

    private long partitionCount(Path dir) {
        return logs.values().stream()
                .filter(log -> log.dir().getParent().equals(dir))
                .count();
    }

    /**
     * Removes the log of {@code tp} and its directory (renamed first, so a crash midway cannot bring
     * it back). Slices already read from it stay valid.
     *
     * @return whether there was such a log
     */
    public synchronized boolean deleteLog(TopicPartition tp) {
        ensureOpen();
        Log log = logs.remove(tp);
        if (log == null) {
            return false;
        }
        cleanOffsets.remove(tp);
        log.delete();
        // The checkpoints forget the deleted log at their next write, which a log of the same name forces before
        // it is created (getOrCreateLog): rewriting every partition's entries at each deletion cost a broker of
        // 10,000 partitions four fsyncs per deleted log on its metadata thread.
        deletedSinceCheckpoint.add(tp);
        return true;
    }

    /**
     * Stops the background tasks, closes every log cleanly (flushed, with its clean-shutdown marker),
     * stops the flush threads, writes the checkpoints and releases the directory locks.
     */
    @Override
    public void close() throws IOException {
        // Outside this object's lock: a pass that ends writes the cleaner checkpoint under it.
        if (cleaner != null) {
            cleaner.close();
        }
        closeLogs();
    }

    private synchronized void closeLogs() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        tasks.forEach(task -> task.cancel(false));
        IOException failure = null;
        for (Log log : logs.values()) {
            try {
                log.close();
            } catch (StorageException e) {
                failure = addFailure(failure, new IOException(e.getMessage(), e));
            }
        }
        // Every log flushed itself on close; a flush still queued finds it closed.
        flushThreads.values().forEach(ExecutorService::shutdown);
        try {
            checkpoint();
        } catch (IOException e) {
            failure = addFailure(failure, e);
        }
        for (LogDirectoryLock lock : locks) {
            try {
                lock.close();
            } catch (IOException e) {
                failure = addFailure(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException addFailure(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the log manager is closed");
        }
    }
}
