package io.ferry.storage;

import io.ferry.record.RecordBatch;
import io.ferry.record.TimestampType;
import io.ferry.storage.internal.AppendValidation;
import io.ferry.storage.internal.BatchMetadata;
import io.ferry.storage.internal.Cleaner;
import io.ferry.storage.internal.LogEnd;
import io.ferry.storage.internal.LogFlush;
import io.ferry.storage.internal.LogLoader;
import io.ferry.storage.internal.LogSegment;
import io.ferry.storage.internal.LogSegments;
import io.ferry.storage.internal.OffsetMap;
import io.ferry.storage.internal.ProducedBatchValidation;
import io.ferry.storage.internal.ProducerStateEntry;
import io.ferry.storage.internal.ProducerStateManager;
import io.ferry.storage.internal.Retention;
import io.ferry.storage.internal.TopicCompression;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * The log of one partition: a directory of segments holding Kafka RecordBatch v2 batches at
 * consecutive offsets from {@link #logStartOffset()} to {@link #logEndOffset()}. It coordinates: the
 * segments are a {@link LogSegments} list, {@link AppendValidation} checks an append before any byte is
 * written, {@link Retention} decides which segments go, and {@link LogFlush} (the flush policy and the
 * group commit) decides when to force what to disk and owns the recovery point. The log itself owns the
 * moves of the log end, log start and high watermark, the leader epoch cache, and rolling; its
 * {@link ProducerStateManager} follows the idempotent producers' sequences in the log.
 *
 * <p>Flushes: an append never forces the file itself. When the flush policy asks for a flush after an
 * append, the append's {@link LogAppendInfo#flushed()} completes once an fsync covering it completed:
 * flushes run one at a time on the log directory's flush thread and each covers every append made
 * before it began. The recovery point moves only after such an fsync.
 *
 * <p>Thread-safety: every mutation (append, truncate, roll, flush bookkeeping, retention, close)
 * runs under one lock, so there is a single writer at a time. Reads ({@link #read},
 * {@link #offsetForTimestamp}, the offset getters) take no lock: they work from a volatile snapshot of
 * the log end and read only bytes below it, which never change (truncation copies, see
 * {@link LogSegment#truncatedCopy}).
 *
 * <p>Lifetime of read buffers: a read returns a slice of a read-only mapping of the segment file and a
 * {@link BufferLease} on it ({@link LogReadResult#lease()}). The slice stays valid, with the same bytes,
 * after its segment is deleted by retention, truncated or closed, until the lease is released; a segment
 * that left the log is unmapped once the last lease on it is released, which frees a deleted segment's
 * disk blocks then, not at the next garbage collection. Removed segments' files are renamed
 * {@code .deleted} and unlinked {@code file.delete.delay.ms} later.
 */
public final class Log implements AutoCloseable {

    /** Suffix of a deleted log's directory while its files are removed. */
    public static final String DELETED_DIR_SUFFIX = "-delete";

    /**
     * The records of a read at the log end, shared: a waiting follower's fetch reads every partition it follows
     * on each check, and an empty read-only buffer has nothing to change.
     */
    private static final ByteBuffer NO_RECORDS = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final Path dir;
    /** Replaced whole by {@link #updateConfig}; every use reads it afresh. */
    private volatile LogConfig config;

    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final RecoveryResult recoveryResult;
    /** Guarded by lock: the cache is not thread-safe. */
    private final LeaderEpochCache epochCache;

    private final Object lock = new Object();
    private final LogSegments segments;
    private final LogFlush flushes;
    /** Guarded by lock. */
    private final ProducerStateManager producerState;

    private volatile LogEnd end;
    /**
     * Goes up by one as a truncation starts and again as it ends (written under the lock), so it is odd while one
     * replaces segments and the end. A read whose end a truncation overtook could find the cut segment before the
     * re-appends reached its offset, walk on into a segment appended after them, and return a batch past the
     * offset it asked for (LogConcurrencyTest caught it about once in a hundred runs): such a read is done again.
     */
    private volatile int truncations;

    private static final long TRUNCATION_PAUSE_NANOS = 100_000;

    private volatile long logStartOffset;
    private volatile long highWatermark;
    /** Written under lock; read by lock-free readers, which read nothing from a closed log. */
    private volatile boolean closed;

    private Log(
            Path dir,
            LogConfig config,
            InstantSource clock,
            ScheduledExecutorService scheduler,
            Executor flushThread,
            LogLoader.Loaded loaded,
            long recoveryPoint,
            LeaderEpochCache epochCache) {
        this.dir = dir;
        this.epochCache = epochCache;
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.recoveryResult = loaded.result();
        this.segments = new LogSegments(loaded.segments());
        this.end = LogEnd.of(segments.last());
        this.logStartOffset = segments.firstBaseOffset();
        this.highWatermark = logStartOffset;
        this.producerState = new ProducerStateManager(dir);
        this.flushes = new LogFlush(
                dir,
                lock,
                segments,
                () -> end.offset(),
                epochCache::sync,
                clock,
                Math.max(logStartOffset, Math.min(recoveryPoint, end.offset())),
                flushThread);
    }

    /**
     * Opens the log in {@code dir} (creating an empty one starting at offset 0 if the directory holds no
     * segment) and recovers it: after a clean shutdown the files are trusted; otherwise every batch from
     * the segment holding {@code recoveryPoint} on is validated and the invalid tail is cut.
     *
     * @param recoveryPoint offset below which the log was flushed before a crash; 0 validates everything
     * @param scheduler     runs delayed file deletion, and the flushes (see {@link #open(Path, LogConfig, long,
     *                      InstantSource, ScheduledExecutorService, Executor)} for a flush thread of their own)
     * @throws StorageException if the directory cannot be read or written
     */
    public static Log open(
            Path dir, LogConfig config, long recoveryPoint, InstantSource clock, ScheduledExecutorService scheduler) {
        return open(dir, config, recoveryPoint, clock, scheduler, scheduler);
    }

    /**
     * As {@link #open(Path, LogConfig, long, InstantSource, ScheduledExecutorService)}, with the flushes
     * (fsyncs asked for by the flush policy, of rolled segments, of {@code flush.ms}) run on
     * {@code flushThread}, as {@link LogManager} runs those of every log in one log directory on one thread.
     *
     * @param flushThread runs one flush of this log at a time; a flush that fails throws its
     *                    {@link StorageException} there after failing the appends waiting for it
     */
    public static Log open(
            Path dir,
            LogConfig config,
            long recoveryPoint,
            InstantSource clock,
            ScheduledExecutorService scheduler,
            Executor flushThread) {
        boolean created;
        LeaderEpochCache epochCache;
        try {
            created = !Files.isDirectory(dir);
            Files.createDirectories(dir);
            epochCache = created ? LeaderEpochCache.empty(dir) : LeaderEpochCache.load(dir);
        } catch (IOException e) {
            throw new StorageException("cannot open the log in " + dir + ": " + e.getMessage(), e);
        }
        if (created) {
            return new Log(
                    dir,
                    config,
                    clock,
                    scheduler,
                    flushThread,
                    LogLoader.createEmpty(dir, config, clock.millis()),
                    recoveryPoint,
                    epochCache);
        }
        LogLoader.Loaded loaded = LogLoader.load(dir, config, recoveryPoint, clock.millis());
        Log log = new Log(dir, config, clock, scheduler, flushThread, loaded, recoveryPoint, epochCache);
        synchronized (log.lock) {
            log.truncateEpochCache();
            log.restoreEpochs(loaded.recoveredEpochs());
            log.loadProducerState();
        }
        return log;
    }

    /** Makes the epoch cache cover exactly [log start, log end): both ends may have moved. */
    private void truncateEpochCache() {
        try {
            epochCache.truncateFromEnd(end.offset());
            epochCache.truncateFromStart(logStartOffset);
        } catch (IOException e) {
            throw new StorageException(
                    "cannot update the leader epoch checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gives the epoch cache the epochs that batches validated by recovery start and it lacks: a new epoch
     * reaches the checkpoint only with the flush that moves the recovery point past it, so after a crash the
     * batches above the recovery point are its only record.
     */
    private void restoreEpochs(List<EpochEntry> recovered) {
        for (EpochEntry start : recovered) {
            if (start.epoch() > epochCache.latestEpoch().orElse(-1)) {
                epochCache.assignDeferred(start.epoch(), start.startOffset());
            }
        }
    }

    /** Rebuilds the producers' state from the latest snapshot at or below the log end and the batches after it. */
    private void loadProducerState() {
        try {
            producerState.load(segments.all(), end.offset());
        } catch (IOException e) {
            throw new StorageException("cannot load the producer state of " + dir + ": " + e.getMessage(), e);
        }
    }

    private void assignEpoch(int epoch, long startOffset) {
        try {
            epochCache.assign(epoch, startOffset);
        } catch (IOException e) {
            throw new StorageException(
                    "cannot update the leader epoch checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records that {@code leaderEpoch} starts at the current log end offset, as a replica does when it
     * becomes leader, so a follower asking where an epoch ends gets an answer before the new leader has
     * appended anything. A no-op if it is already the latest epoch. The checkpoint gets the entry with the next
     * flush ({@link LeaderEpochCache#assignDeferred}).
     *
     * @throws IllegalArgumentException if {@code leaderEpoch} is negative
     */
    public void assignEpochStartOffset(int leaderEpoch) {
        if (leaderEpoch < 0) {
            throw new IllegalArgumentException("leader epoch " + leaderEpoch + " is negative");
        }
        synchronized (lock) {
            ensureOpen();
            epochCache.assignDeferred(leaderEpoch, end.offset());
        }
    }

    /** The latest leader epoch of any batch appended, if any. */
    public OptionalInt latestEpoch() {
        synchronized (lock) {
            return epochCache.latestEpoch();
        }
    }

    /**
     * Where {@code epoch} ends in this log (KIP-279), as a leader answers a follower that asks before
     * fetching; see {@link LeaderEpochCache#endOffsetFor}.
     */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        synchronized (lock) {
            return epochCache.endOffsetFor(epoch, end.offset());
        }
    }

    /** Whether the epoch history has a change not forced to disk yet (tests of the flush order). */
    boolean hasUnsyncedEpochChange() {
        return epochCache.hasUnsyncedChange();
    }

    /** The leader epoch history: for each epoch, the offset of its first batch. */
    public List<EpochEntry> epochEntries() {
        synchronized (lock) {
            return epochCache.entries();
        }
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /**
     * Replaces the configuration, as when a topic's overrides become known after the log was opened.
     * Validation, rolling, retention and the flush policy use it from their next run; segments already
     * created keep the capacity they were created with.
     */
    public void updateConfig(LogConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** What opening the log had to repair. */
    public RecoveryResult recoveryResult() {
        return recoveryResult;
    }

    /** The first offset the log holds (the base offset of its first segment). */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return end.offset();
    }

    /** Offsets below it have been forced to disk and are not validated again after a crash. */
    public long recoveryPoint() {
        return flushes.recoveryPoint();
    }

    /** The high watermark as last set by replication; always within [log start, log end]. */
    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark, clamped to [log start offset, log end offset]. Retention only deletes
     * segments below it.
     *
     * @return the value stored
     */
    public long updateHighWatermark(long offset) {
        synchronized (lock) {
            highWatermark = Math.max(logStartOffset, Math.min(offset, end.offset()));
            return highWatermark;
        }
    }

    /** Bytes held by all segments. */
    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int segmentCount() {
        return segments.count();
    }

    /**
     * Unmaps the sealed segments that no reader retained since the previous call and none holds now (see
     * {@link LogSegment#unmapIfIdle()}); run at a fixed interval by {@link LogManager}. Any thread.
     *
     * @return how many segments were unmapped
     */
    int unmapIdleSegments() {
        int unmapped = 0;
        for (LogSegment segment : segments.all()) {
            if (segment.unmapIfIdle()) {
                unmapped++;
            }
        }
        return unmapped;
    }

    /** Segments with a file mapped now: each costs up to three mappings of the process's {@code vm.max_map_count}. */
    int mappedSegmentCount() {
        return segments.mappedCount();
    }

    /** Base offsets of the segments, oldest first. */
    public List<Long> segmentBaseOffsets() {
        return segments.baseOffsets();
    }

    /**
     * Validates {@code batches} as a producer's (every batch by length and CRC, then record by record:
     * {@link ProducedBatchValidation}), assigns them consecutive offsets from the log end offset, stamps
     * {@code leaderEpoch} and the timestamps {@code message.timestamp.type} asks for, and appends them.
     * The offsets and epoch are patched into {@code batches} in place, so a writable buffer is written as
     * given (a direct one reaches the file with no copy on the way); a read-only buffer is first copied
     * into a direct buffer. The CRC does not cover the offsets and epoch; it is recomputed only for a batch
     * whose timestamps the leader sets. With a {@code compression.type} other than {@code producer}, batches in
     * another codec are stored converted to it ({@link TopicCompression}), in a new buffer. If the flush policy asks for a flush, the result's
     * {@link LogAppendInfo#flushed()} completes once it is on disk; the append does not wait for it.
     *
     * <p>Batches with a producer id are checked against the producer's state first (see
     * {@link ProducerStateManager#checkLeaderAppend}); an append that is a single batch retrying records
     * in one of its producer's last five runs appends nothing and answers their offsets
     * ({@link LogAppendInfo#duplicate()}).
     *
     * @throws LogAppendException nothing was appended: INVALID_LEADER_EPOCH (below the log's latest epoch),
     *                            OUT_OF_ORDER_SEQUENCE, INVALID_PRODUCER_EPOCH, TOO_MANY_PRODUCER_IDS,
     *                            CORRUPT_BATCH, INVALID_RECORD, INVALID_TIMESTAMP, BATCH_TOO_LARGE or EMPTY
     * @throws StorageException   the write failed; the log must be reopened (recovery cuts a partial write)
     */
    public LogAppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) throws LogAppendException {
        if (leaderEpoch < 0) {
            throw new IllegalArgumentException("leader epoch " + leaderEpoch + " is negative");
        }
        ByteBuffer writable = batches.isReadOnly() ? AppendValidation.copy(batches) : batches;
        LogConfig appendConfig = config;
        List<RecordBatch> parsed = AppendValidation.validate(writable, appendConfig);
        long logAppendTime = ProducedBatchValidation.validateAndStamp(parsed, appendConfig, clock.millis());
        if (appendConfig.compression().isPresent()) {
            ByteBuffer stored = TopicCompression.convert(
                    writable, parsed, appendConfig.compression().get());
            if (stored != writable) {
                // Converted batches are checked again for size: a codec can make a batch larger (Kafka's rule).
                writable = stored;
                parsed = AppendValidation.validate(writable, appendConfig);
            }
        }
        synchronized (lock) {
            ensureOpen();
            AppendValidation.checkLeaderEpoch(
                    leaderEpoch, epochCache.latestEpoch().orElse(0));
            Optional<BatchMetadata> original = producerState.checkLeaderAppend(parsed, appendConfig.maxProducerIds());
            if (original.isPresent()) {
                return duplicateAnswer(original.get(), appendConfig);
            }
            long next = end.offset();
            for (RecordBatch batch : parsed) {
                batch.setBaseOffset(next);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                next = batch.nextOffset();
            }
            assignEpoch(leaderEpoch, end.offset());
            return append(writable, parsed, logAppendTime);
        }
    }

    private static LogAppendInfo duplicateAnswer(BatchMetadata original, LogConfig config) {
        long logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME ? original.timestamp() : -1;
        return LogAppendInfo.duplicate(
                original.firstOffset(), original.lastOffset(), original.timestamp(), logAppendTime);
    }

    /**
     * Appends batches copied from the leader, keeping their offsets and leader epochs. The first batch
     * must start at the log end offset and each next one where the previous ended. As for
     * {@link #appendAsLeader}, {@link LogAppendInfo#flushed()} says when the flush policy's fsync is done.
     * Producers' batches update their state without any sequence check, so that this replica, once leader,
     * recognises retries of what the leader appended.
     *
     * @throws LogAppendException nothing was appended: NON_CONTIGUOUS_OFFSET, INVALID_LEADER_EPOCH, CORRUPT_BATCH,
     *                            BATCH_TOO_LARGE or EMPTY
     * @throws StorageException   the write failed
     */
    public LogAppendInfo appendAsFollower(ByteBuffer batches) throws LogAppendException {
        List<RecordBatch> parsed = AppendValidation.validate(batches, config);
        synchronized (lock) {
            ensureOpen();
            AppendValidation.checkFollowerBatches(
                    parsed, end.offset(), epochCache.latestEpoch().orElse(0));
            for (RecordBatch batch : parsed) {
                assignEpoch(batch.partitionLeaderEpoch(), batch.baseOffset());
            }
            return append(batches, parsed, -1);
        }
    }

    /**
     * Writes offset-assigned batches, rolling as needed, grouping batches that share a segment into one
     * write, and asks for a flush if the policy wants one now.
     */
    private LogAppendInfo append(ByteBuffer bytes, List<RecordBatch> parsed, long logAppendTime) {
        long now = clock.millis();
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        int records = 0;
        int position = bytes.position();
        int i = 0;
        try {
            while (i < parsed.size()) {
                LogSegment segment = maybeRoll(parsed.get(i), now);
                int room = segment.room(config);
                int runBytes = 0;
                int j = i;
                while (j < parsed.size()
                        && runBytes + parsed.get(j).sizeInBytes() <= room
                        && segment.hasOffsetsFor(parsed.get(j))) {
                    RecordBatch batch = parsed.get(j);
                    runBytes += batch.sizeInBytes();
                    maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                    records += batch.recordCount();
                    j++;
                }
                if (j == i) {
                    throw new StorageException("batch " + parsed.get(i) + " does not fit the new segment " + segment);
                }
                segment.append(bytes.duplicate().position(position).limit(position + runBytes), parsed.subList(i, j));
                // Before the next roll, whose snapshot is the state as of the new segment's base offset.
                producerState.update(parsed.subList(i, j));
                position += runBytes;
                end = LogEnd.of(segment);
                i = j;
            }
        } catch (IOException e) {
            throw new StorageException("append to " + dir + " failed: " + e.getMessage(), e);
        }
        CompletableFuture<Void> flushed = flushes.appended(records, end.offset(), config);
        return new LogAppendInfo(
                parsed.get(0).baseOffset(),
                parsed.get(parsed.size() - 1).lastOffset(),
                maxTimestamp,
                logAppendTime,
                records,
                position - bytes.position(),
                flushed);
    }

    /** The segment {@code next} goes into: the active one, or a new one if it is full or old. */
    private LogSegment maybeRoll(RecordBatch next, long now) throws IOException {
        LogSegment active = end.segment();
        return active.isFullFor(next, config, now) ? rollLocked() : active;
    }

    /**
     * Starts a new segment at the log end offset, unless the active segment is empty, and snapshots the
     * producers' state there. The rolled segment is flushed on the flush thread, which advances the
     * recovery point.
     */
    public void roll() {
        synchronized (lock) {
            ensureOpen();
            try {
                rollLocked();
            } catch (IOException e) {
                throw new StorageException("roll of " + dir + " failed: " + e.getMessage(), e);
            }
        }
    }

    private LogSegment rollLocked() throws IOException {
        LogSegment active = end.segment();
        if (active.size() == 0) {
            return active;
        }
        long baseOffset = end.offset();
        active.seal();
        LogSegment next = LogSegment.create(
                dir,
                baseOffset,
                config.segmentBytes(),
                config.segmentIndexBytes(),
                config.indexIntervalBytes(),
                clock.millis());
        segments.add(next);
        end = LogEnd.of(next);
        producerState.takeSnapshot(baseOffset);
        flushes.rolled();
        return next;
    }

    /**
     * Whole batches from the one holding {@code offset}: at least that batch (even if larger than
     * {@code maxBytes}, so a reader always progresses), then more while the total fits in
     * {@code maxBytes}; no batch whose last offset reaches {@code maxOffsetExclusive} (the high
     * watermark for consumers, {@link Long#MAX_VALUE} for followers). Empty at the log end, and once the
     * log is closed. The caller releases the result's lease once nothing reads its records any more.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is below the log start or above the log end
     */
    public LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive) throws OffsetOutOfRangeException {
        while (true) {
            int truncationsBefore = truncations;
            if ((truncationsBefore & 1) == 1) {
                // A truncation is under way. Readers never take the log's lock (no lock order to keep with the
                // callers'), so they wait for it in short pauses.
                LockSupport.parkNanos(TRUNCATION_PAUSE_NANOS);
                continue;
            }
            LogEnd endSnapshot = end;
            long start = logStartOffset;
            if (offset < start || offset > endSnapshot.offset()) {
                throw new OffsetOutOfRangeException(offset, start, endSnapshot.offset());
            }
            if (offset == endSnapshot.offset() || offset >= maxOffsetExclusive || closed) {
                return new LogReadResult(NO_RECORDS, start, endSnapshot.offset());
            }
            LogSegments.Slice slice = segments.read(offset, maxBytes, maxOffsetExclusive, endSnapshot);
            if (slice != null && truncations == truncationsBefore) {
                return new LogReadResult(slice.bytes(), start, endSnapshot.offset(), slice.lease());
            }
            if (slice != null) {
                slice.lease().release();
            }
            // A segment left the log after the snapshot (retention, truncation, close), or a truncation ran
            // meanwhile: look again.
        }
    }

    /**
     * The base offset of the first batch whose max timestamp is at least {@code timestamp} (ms), as
     * Kafka's ListOffsets answers at batch granularity, never below the log start; empty when every
     * batch is older.
     */
    public OptionalLong offsetForTimestamp(long timestamp) {
        while (true) {
            LogEnd endSnapshot = end;
            long start = logStartOffset;
            if (closed) {
                return OptionalLong.empty();
            }
            OptionalLong found = segments.offsetForTimestamp(timestamp, start, endSnapshot);
            if (found != null) {
                return found;
            }
            // A segment left the log after the snapshot: look again.
        }
    }

    /**
     * Removes every record at or after {@code targetOffset}; the batch holding it goes whole, so the
     * new log end offset may be below {@code targetOffset}. Below the log start it empties the log and
     * starts it at {@code targetOffset}. At or above the log end no record goes, but epochs that start at
     * the log end (a replica that became leader and appended nothing before losing the leadership) are
     * forgotten, as Kafka's {@code truncateTo} does: a follower that kept one would send it as its last
     * fetched epoch, the leader would answer the same divergence at the log end forever, and the
     * follower would never catch up.
     *
     * @return whether any record was removed
     */
    public boolean truncateTo(long targetOffset) {
        if (targetOffset < 0) {
            throw new IllegalArgumentException("cannot truncate to negative offset " + targetOffset);
        }
        List<CompletableFuture<Void>> undone;
        synchronized (lock) {
            ensureOpen();
            if (targetOffset >= end.offset()) {
                truncateEpochCache();
                return false;
            }
            undone = targetOffset < logStartOffset ? emptyAndStartAt(targetOffset) : truncateLocked(targetOffset);
        }
        flushes.fail(undone, "truncated to " + targetOffset);
        return true;
    }

    private List<CompletableFuture<Void>> truncateLocked(long targetOffset) {
        flushes.truncating();
        truncations++;
        try {
            for (LogSegment segment : segments.above(targetOffset)) {
                removeSegment(segment);
            }
            LogSegment copy = segments.floor(targetOffset)
                    .truncatedCopy(targetOffset, config.segmentBytes(), config.segmentIndexBytes(), clock.millis());
            segments.add(copy);
            end = LogEnd.of(copy);
            producerState.load(segments.all(), end.offset());
        } catch (IOException e) {
            throw new StorageException(
                    "truncation of " + dir + " to " + targetOffset + " failed: " + e.getMessage(), e);
        } finally {
            truncations++;
        }
        return afterTruncation();
    }

    /** Deletes every segment and starts the log, empty, at {@code newOffset} (a follower far behind the leader's log start). */
    public void truncateFullyAndStartAt(long newOffset) {
        if (newOffset < 0) {
            throw new IllegalArgumentException("cannot start the log at negative offset " + newOffset);
        }
        List<CompletableFuture<Void>> undone;
        synchronized (lock) {
            ensureOpen();
            undone = emptyAndStartAt(newOffset);
        }
        flushes.fail(undone, "emptied to start at " + newOffset);
    }

    private List<CompletableFuture<Void>> emptyAndStartAt(long newOffset) {
        flushes.truncating();
        truncations++;
        try {
            for (LogSegment segment : segments.all()) {
                removeSegment(segment);
            }
            LogSegment fresh = LogSegment.create(
                    dir,
                    newOffset,
                    config.segmentBytes(),
                    config.segmentIndexBytes(),
                    config.indexIntervalBytes(),
                    clock.millis());
            segments.add(fresh);
            end = LogEnd.of(fresh);
            logStartOffset = newOffset;
            epochCache.truncateFromEnd(0);
            producerState.clear();
        } catch (IOException e) {
            throw new StorageException(
                    "truncation of " + dir + " to start at " + newOffset + " failed: " + e.getMessage(), e);
        } finally {
            truncations++;
        }
        return afterTruncation();
    }

    /** @return the appends waiting for a flush whose records the truncation removed, to fail outside the lock */
    private List<CompletableFuture<Void>> afterTruncation() {
        long endOffset = end.offset();
        highWatermark = Math.max(logStartOffset, Math.min(highWatermark, endOffset));
        truncateEpochCache();
        return flushes.truncated(logStartOffset, endOffset);
    }

    /**
     * Deletes the oldest whole segments that are past {@code retention.ms} (by their newest batch
     * timestamp; batches without timestamps never expire by time) or that make the log larger than
     * {@code retention.bytes}, and advances the log start offset. Only segments wholly below the high
     * watermark are deleted; if that takes every segment, a new empty one is rolled first at the log end.
     * Nothing is deleted when {@code cleanup.policy} is {@code compact} alone (as in Kafka, a compacted
     * log keeps every key's latest record however old).
     *
     * @return the number of segments deleted
     */
    public int deleteSegmentsByRetention() {
        synchronized (lock) {
            ensureOpen();
            if (!config.cleanupPolicy().deletes()) {
                return 0;
            }
            List<LogSegment> all = segments.all();
            int deletable = Retention.deletable(all, config, clock.millis(), highWatermark);
            if (deletable == 0) {
                return 0;
            }
            removeOldestSegments(all, deletable, "retention");
            startAt(Math.max(logStartOffset, segments.firstBaseOffset()));
            return deletable;
        }
    }

    /**
     * Moves the log start offset up to {@code offset}, as a DeleteRecords or a follower taking its
     * leader's log start does: reads below it fail with {@link OffsetOutOfRangeException}, and segments
     * wholly below it are deleted (the one holding it stays, so the start may fall inside a segment).
     * A no-op at or below the current start.
     *
     * @return whether the start moved
     * @throws IllegalArgumentException if {@code offset} is above the log end offset
     */
    public boolean advanceLogStartOffset(long offset) {
        synchronized (lock) {
            ensureOpen();
            if (offset <= logStartOffset) {
                return false;
            }
            if (offset > end.offset()) {
                throw new IllegalArgumentException(
                        "cannot start " + dir + " at " + offset + ", above its log end " + end.offset());
            }
            List<LogSegment> all = segments.all();
            removeOldestSegments(all, Retention.below(all, offset), "moving the log start to " + offset);
            startAt(offset);
            return true;
        }
    }

    /** Deletes the first {@code count} of {@code all}; if that is every segment, an empty one is rolled first. */
    private void removeOldestSegments(List<LogSegment> all, int count, String why) {
        try {
            if (count > 0 && count == all.size()) {
                rollLocked();
            }
            for (LogSegment segment : all.subList(0, count)) {
                removeSegment(segment);
            }
        } catch (IOException e) {
            throw new StorageException(why + " in " + dir + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Moves the log start once segments below it went. Producers whose batches went with them stay
     * known until they expire, as in Kafka; the snapshots of the deleted segments go.
     */
    private void startAt(long offset) {
        logStartOffset = offset;
        flushes.startMoved(offset);
        highWatermark = Math.max(highWatermark, logStartOffset);
        truncateEpochCache();
        try {
            producerState.deleteSnapshotsBelow(segments.firstBaseOffset());
        } catch (IOException e) {
            throw new StorageException(
                    "cannot delete the producer state snapshots of " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Forgets the producers whose last batch's timestamp is {@code producer.id.expiration.ms} old or
     * more; {@link LogManager} runs it periodically.
     *
     * @return how many producers were forgotten
     */
    public int removeExpiredProducers() {
        synchronized (lock) {
            ensureOpen();
            return producerState.removeExpired(clock.millis(), config.producerIdExpirationMs());
        }
    }

    /** How many producer ids the log tracks. */
    public int producerIdCount() {
        synchronized (lock) {
            return producerState.producerCount();
        }
    }

    /** The producers' state by producer id, a copy for tests comparing the state after a rebuild. */
    Map<Long, ProducerStateEntry> producerStates() {
        synchronized (lock) {
            return producerState.entries();
        }
    }

    private void removeSegment(LogSegment segment) throws IOException {
        segments.remove(segment, scheduler, config.fileDeleteDelayMs());
    }

    /**
     * Runs one cleaning pass (log compaction, see {@link Cleaner}) over the sealed segments below the
     * first of: the active segment, the recovery point (so no flush runs on a segment being replaced),
     * the first segment with a record younger than {@code min.compaction.lag.ms}, and
     * {@code upperBoundOffset}. Maps the keys from {@code firstDirtyOffset} on, as far as
     * {@code map} holds them, and rewrites the segments from the log start to there keeping each key's
     * latest record. Runs on the caller's thread without the log's lock except for each group's swap,
     * so appends and reads go on meanwhile; the caller (the cleaner thread, next) keeps the returned
     * clean offset in the directory's cleaner checkpoint and passes it back as the next
     * {@code firstDirtyOffset}.
     *
     * @param upperBoundOffset the high watermark: nothing at or above it is cleaned
     * @throws IllegalStateException if {@code cleanup.policy} does not compact, or the log is closed
     */
    public CleanResult clean(long firstDirtyOffset, long upperBoundOffset, OffsetMap map) {
        return clean(firstDirtyOffset, upperBoundOffset, map, Cleaner.Progress.NONE);
    }

    /**
     * As {@link #clean(long, long, OffsetMap)}, telling {@code progress} of every batch read or written
     * (the cleaner threads' I/O throttle and shutdown check).
     */
    public CleanResult clean(long firstDirtyOffset, long upperBoundOffset, OffsetMap map, Cleaner.Progress progress) {
        LogConfig current = config;
        if (!current.cleanupPolicy().compacts()) {
            throw new IllegalStateException("log " + dir + " has cleanup.policy="
                    + current.cleanupPolicy().configValue() + ", not compact");
        }
        ensureOpen();
        List<LogSegment> all = segments.all();
        long firstDirty = Math.max(firstDirtyOffset, logStartOffset);
        long now = clock.millis();
        long limit = cleaningLimit(all, firstDirty, upperBoundOffset, current, now);
        try {
            return Cleaner.clean(
                    dir, all, firstDirty, limit, current, now, lastBatchOffsets(), map, this::swapCleaned, progress);
        } catch (IOException e) {
            throw new StorageException("cleaning " + dir + " failed: " + e.getMessage(), e);
        }
    }

    /** Taken when a pass starts: a producer's later batches are above what the pass may clean. */
    private Map<Long, Long> lastBatchOffsets() {
        synchronized (lock) {
            return producerState.lastBatchOffsets();
        }
    }

    /**
     * How much of the log a pass from {@code firstDirtyOffset} would clean, for the cleaner threads'
     * choice of log (see {@link CleanableSection}); {@link CleanableSection#NONE} if the log does not compact.
     *
     * @param upperBoundOffset the high watermark, as for {@link #clean}
     */
    public CleanableSection cleanableSection(long firstDirtyOffset, long upperBoundOffset) {
        LogConfig current = config;
        if (!current.cleanupPolicy().compacts() || closed) {
            return CleanableSection.NONE;
        }
        List<LogSegment> all = segments.all();
        long firstDirty = Math.max(firstDirtyOffset, logStartOffset);
        long limit = cleaningLimit(all, firstDirty, upperBoundOffset, current, clock.millis());
        return Cleaner.cleanableSection(all, firstDirty, limit);
    }

    /**
     * The first offset a pass may not touch: the high watermark, the recovery point (so no flush runs
     * on a segment being replaced) or the first segment younger than {@code min.compaction.lag.ms}.
     */
    private long cleaningLimit(
            List<LogSegment> all, long firstDirty, long upperBoundOffset, LogConfig current, long nowMs) {
        return Math.min(
                Math.min(upperBoundOffset, flushes.recoveryPoint()),
                Cleaner.firstOffsetWithinLag(all, firstDirty, nowMs, current.minCompactionLagMs()));
    }

    /**
     * The cleaner's swap, under the lock: the old segments' files are renamed {@code .deleted} (they stay
     * mapped for readers), then the swap file becomes {@code <base>.log}, then the list changes in one
     * step. A crash before the rename of the swap file leaves it for {@link LogLoader} to complete.
     */
    private boolean swapCleaned(List<LogSegment> old, Path swapFile) throws IOException {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            for (LogSegment segment : old) {
                if (!segments.contains(segment)) {
                    return false;
                }
            }
            for (LogSegment segment : old) {
                segment.closeAndDelete(scheduler, config.fileDeleteDelayMs());
            }
            Cleaner.renamedAway(dir);
            long base = old.get(0).baseOffset();
            Files.move(swapFile, dir.resolve(LogSegment.fileName(base, ".log")), StandardCopyOption.ATOMIC_MOVE);
            LogSegment cleaned = LogSegment.open(
                    dir,
                    base,
                    false,
                    config.segmentBytes(),
                    config.segmentIndexBytes(),
                    config.indexIntervalBytes(),
                    clock.millis());
            cleaned.rebuildIndexes(config.segmentIndexBytes());
            cleaned.seal();
            segments.replace(old, cleaned);
            return true;
        }
    }

    /**
     * Forces every appended batch to disk on the calling thread and advances the recovery point to the
     * log end offset.
     */
    public void flush() {
        flushes.flushToEnd();
    }

    /**
     * Queues a flush on the flush thread if {@code flush.ms} has passed since the last flush and records
     * were appended since.
     */
    public void flushIfDue() {
        flushes.flushIfDue(config);
    }

    /**
     * Flushes, seals the active segment and writes the clean-shutdown marker, so the next open trusts
     * the files; appends waiting for a flush complete. Slices already read stay valid.
     */
    @Override
    public void close() {
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                try {
                    flushes.flushForClose();
                    producerState.takeSnapshot(end.offset());
                    end.segment().seal();
                    closed = true;
                    segments.closeAll();
                    Files.createFile(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE));
                } catch (IOException e) {
                    throw new StorageException("clean close of " + dir + " failed: " + e.getMessage(), e);
                } finally {
                    closed = true;
                }
            }
        } finally {
            // Outside the lock, as completions run what waited (a produce answer, a follower's next fetch).
            flushes.closed();
        }
    }

    /**
     * Closes the log without flushing or a clean-shutdown marker and removes its directory: renamed to
     * {@code <name>.<millis>-delete} first, so a crash midway leaves a directory the next start-up
     * removes instead of a half-deleted log. Appends still waiting for a flush fail. Slices already read
     * stay valid until their leases are released.
     */
    public void delete() {
        List<CompletableFuture<Void>> undone = List.of();
        try {
            synchronized (lock) {
                undone = flushes.stop();
                if (!closed) {
                    closed = true;
                    segments.closeAll();
                }
                Path renamed = dir.resolveSibling(dir.getFileName() + "." + clock.millis() + DELETED_DIR_SUFFIX);
                Files.move(dir, renamed);
                LogLoader.deleteRecursively(renamed);
            }
        } catch (IOException e) {
            throw new StorageException("deletion of " + dir + " failed: " + e.getMessage(), e);
        } finally {
            flushes.fail(undone, "deleted");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "Log(" + dir + ", start=" + logStartOffset + ", end=" + end.offset() + ", segments=" + segments.count()
                + ")";
    }
}
