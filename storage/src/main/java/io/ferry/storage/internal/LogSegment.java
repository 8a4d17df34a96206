package io.ferry.storage.internal;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.ferry.storage.EpochEntry;
import io.ferry.storage.LogConfig;
import io.ferry.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a partition log: the {@code .log} file of whole batches whose offsets start at
 * {@link #baseOffset()}, and its sparse {@code .index} and {@code .timeindex}.
 *
 * <p>Thread-safety: mutators are called by the owner of the log's lock. Reads ({@link #read},
 * {@link #offsetForTimestamp}, {@link #size()}, ...) may run on any thread concurrently with an append;
 * a reader passes the byte limit it may read up to ({@code maxPosition}), taken from the log end it
 * observed, so it never sees a half-written batch.
 *
 * <p>Bytes below {@link #size()} never change: truncation writes a new file ({@link #truncatedCopy})
 * and the replaced one lives on, unlinked, for readers still holding slices of it.
 *
 * <p>Lifetime of the mappings ({@code .log}, {@code .index}, {@code .timeindex}): a count of references.
 * The log holds one while the segment is in it ({@link LogSegments}); a lock-free reader takes one
 * ({@link #retain()}) before it touches the mappings and gives it back when it is done, which for a
 * read's slice is when the reader releases its {@link io.ferry.storage.BufferLease}. When the last
 * reference goes, the mappings are unmapped at once, so a deleted segment's blocks are freed then and
 * not at the next garbage collection; a segment that left the log cannot be retained again, so no
 * reader ever touches an unmapped page.
 *
 * <p>A file is mapped only while there is something to read through it. The {@link #retain()} that finds
 * the {@code .log} or an index with entries unmapped maps it, and {@link #unmapIfUnread()} unmaps them when
 * the log's reference is the only one left: once loaded, and when idle ({@link #unmapIfIdle()}). That step
 * holds {@code mapLock} and parks the count at {@code UNMAPPING}, so a reader arriving meanwhile waits for
 * it and then maps the files again. So whatever reads the {@code .log} or a sealed segment's indexes, its
 * writer included, holds a reference meanwhile; only loading, before any reader exists, reads segments
 * without one (and unmaps them when done). The appendable segment's writer appends to the indexes without
 * a reference: its first index entry maps the index, which stays mapped until the segment is sealed. So a
 * partition that is not read and took less than {@code index.interval.bytes} into its segment costs a file
 * descriptor and no mapping; Kafka maps both indexes of every active segment.
 */
public final class LogSegment {

    /** A segment file's name is its base offset in this many digits, zero-padded (Kafka's names). */
    private static final int FILE_NAME_DIGITS = 20;

    /** The count while {@link #unmapIfUnread()} unmaps a sealed segment that only the log references. */
    private static final int UNMAPPING = Integer.MIN_VALUE;

    private final long baseOffset;
    private final SegmentFile log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private final long createdMs;
    private final boolean indexFilesMissing;
    /** The log's reference (until the segment leaves it) plus one per reader; unmapped at zero. */
    private final AtomicInteger references = new AtomicInteger(1);
    /** Held while the files are mapped, or unmapped while only the log references the segment. */
    private final Object mapLock = new Object();
    /** Set under {@code mapLock} before the file handle closes: the files cannot be mapped again. */
    private boolean closed;

    private volatile boolean sealed;
    /** Whether a reader retained the segment since the last {@link #unmapIfIdle()}. */
    private volatile boolean readRecently;

    private int bytesSinceLastIndexEntry;
    /** See {@link #rollBaseMs()}; set when the first batch is appended or loaded, -1 until then. */
    private volatile long rollBaseMs = -1;

    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestampSoFar;
    private volatile long nextOffset;

    private LogSegment(
            long baseOffset,
            SegmentFile log,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            int indexIntervalBytes,
            long createdMs,
            boolean indexFilesMissing) {
        this.baseOffset = baseOffset;
        this.indexFilesMissing = indexFilesMissing;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    /** File name of a segment's file: the base offset in 20 digits, then {@code suffix}. */
    public static String fileName(long baseOffset, String suffix) {
        // Not String.format: its parsing was a sixth of the time a broker took to create 10,000 logs.
        String digits = Long.toString(baseOffset);
        return "0".repeat(Math.max(0, FILE_NAME_DIGITS - digits.length())) + digits + suffix;
    }

    /**
     * Opens a segment's files (creating empty ones if absent) without looking at their content; the
     * caller then either {@link #recover recovers} or {@link #loadTrusted loads} it.
     *
     * @param segmentBytes      capacity to preallocate when {@code appendable}
     * @param segmentIndexBytes capacity to preallocate each index to when {@code appendable}
     */
    public static LogSegment open(
            Path dir,
            long baseOffset,
            boolean appendable,
            int segmentBytes,
            int segmentIndexBytes,
            int indexIntervalBytes,
            long nowMs)
            throws IOException {
        SegmentFile log =
                ChannelSegmentFile.open(dir.resolve(fileName(baseOffset, ".log")), appendable ? segmentBytes : 0);
        int indexCapacity = appendable ? segmentIndexBytes : 0;
        Path offsetIndexPath = dir.resolve(fileName(baseOffset, ".index"));
        Path timeIndexPath = dir.resolve(fileName(baseOffset, ".timeindex"));
        boolean indexFilesMissing = !Files.exists(offsetIndexPath) || !Files.exists(timeIndexPath);
        OffsetIndex offsetIndex = OffsetIndex.open(offsetIndexPath, baseOffset, indexCapacity);
        TimeIndex timeIndex = TimeIndex.open(timeIndexPath, baseOffset, indexCapacity);
        return new LogSegment(baseOffset, log, offsetIndex, timeIndex, indexIntervalBytes, nowMs, indexFilesMissing);
    }

    /** Creates a new, empty, appendable segment; stale files of the same name are replaced. */
    public static LogSegment create(
            Path dir, long baseOffset, int segmentBytes, int segmentIndexBytes, int indexIntervalBytes, long nowMs)
            throws IOException {
        for (String suffix : List.of(".log", ".index", ".timeindex")) {
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, suffix)));
        }
        return open(dir, baseOffset, true, segmentBytes, segmentIndexBytes, indexIntervalBytes, nowMs);
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Bytes of whole batches in the segment. */
    public int size() {
        return log.size();
    }

    /** Bytes the segment can hold. */
    public int capacity() {
        return log.capacity();
    }

    /** The offset after the segment's last batch; the base offset when empty. */
    public long nextOffset() {
        return nextOffset;
    }

    /** Largest batch max timestamp in the segment (ms), or -1 when it has none. */
    public long largestTimestamp() {
        return maxTimestampSoFar;
    }

    public boolean indexIsFull() {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    /**
     * Whether {@code next} must go into a new segment: this one is not empty and the batch would not fit
     * in {@code segment.bytes}, the segment is {@link LogConfig#effectiveSegmentMs()} old, an index is full, or the batch's
     * offsets would overflow this segment's int32 relative offsets.
     */
    public boolean isFullFor(RecordBatch next, LogConfig config, long nowMs) {
        return size() > 0
                && (next.sizeInBytes() > room(config)
                        || nowMs - rollBaseMs() >= config.effectiveSegmentMs()
                        || indexIsFull()
                        || !hasOffsetsFor(next));
    }

    /** Bytes the segment can still take: up to {@code segment.bytes}, or its capacity if it was made smaller. */
    public int room(LogConfig config) {
        return Math.min(config.segmentBytes(), capacity()) - size();
    }

    /** Whether {@code batch}'s offsets fit this segment's int32 offsets relative to its base offset. */
    public boolean hasOffsetsFor(RecordBatch batch) {
        return batch.lastOffset() - baseOffset <= Integer.MAX_VALUE;
    }

    /**
     * When the segment's age is counted from, in ms: its first batch's max timestamp when it has one,
     * else when this process created or opened it. From memory: the writer never reads the mapping.
     */
    public long rollBaseMs() {
        return rollBaseMs < 0 ? createdMs : rollBaseMs;
    }

    private void firstBatchAt(long maxTimestamp) {
        rollBaseMs = maxTimestamp >= 0 ? maxTimestamp : createdMs;
    }

    /**
     * Appends validated, offset-assigned batches that are contiguous in {@code bytes}, then indexes them.
     * The caller has checked that they fit.
     */
    public void append(ByteBuffer bytes, List<RecordBatch> batches) throws IOException {
        int position = log.size();
        log.append(bytes);
        for (RecordBatch batch : batches) {
            indexBatch(batch, position);
            position += batch.sizeInBytes();
        }
        nextOffset = batches.get(batches.size() - 1).nextOffset();
    }

    private void indexBatch(RecordBatch batch, int position) {
        if (position == 0) {
            firstBatchAt(batch.maxTimestamp());
        }
        if (batch.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = batch.maxTimestamp();
            offsetOfMaxTimestampSoFar = batch.baseOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batch.baseOffset(), position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
    }

    /**
     * Whole batches starting with the one that holds {@code startOffset}: at least that batch, then
     * more while the total stays within {@code maxBytes}; none whose last offset reaches
     * {@code maxOffsetExclusive}. Returns {@code null} when no batch below {@code maxPosition} holds
     * {@code startOffset} or a later offset.
     */
    public ByteBuffer read(long startOffset, int maxBytes, int maxPosition, long maxOffsetExclusive) {
        int start = findBatchPosition(startOffset, maxPosition);
        if (start < 0) {
            return null;
        }
        ByteBuffer view = log.slice(0, maxPosition);
        int end = start;
        while (end < maxPosition) {
            int size = batchSizeAt(view, end, maxPosition);
            long lastOffset = view.getLong(end) + view.getInt(end + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
            if (lastOffset >= maxOffsetExclusive || (end > start && (long) end + size - start > maxBytes)) {
                break;
            }
            end += size;
        }
        return log.slice(start, end - start);
    }

    /**
     * The base offset of the first batch below {@code maxPosition} whose max timestamp is at least
     * {@code timestamp}, if any.
     */
    public OptionalLong offsetForTimestamp(long timestamp, int maxPosition) {
        if (maxTimestampSoFar < timestamp) {
            return OptionalLong.empty();
        }
        int position = findBatchPosition(timeIndex.offsetBefore(timestamp), maxPosition);
        if (position < 0) {
            return OptionalLong.empty();
        }
        ByteBuffer view = log.slice(0, maxPosition);
        while (position < maxPosition) {
            int size = batchSizeAt(view, position, maxPosition);
            if (view.getLong(position + RecordBatch.MAX_TIMESTAMP_OFFSET) >= timestamp) {
                return OptionalLong.of(
                        firstOffsetAtOrAfter(view.duplicate().position(position).limit(position + size), timestamp));
            }
            position += size;
        }
        return OptionalLong.empty();
    }

    /**
     * The offset of the first record in {@code batch} whose timestamp is at least {@code timestamp};
     * the caller knows the batch's max timestamp reaches it. The batch was validated on append, so a
     * decoding failure here means the file changed under us: answer the batch's base offset, which
     * is never past the record asked for.
     */
    private static long firstOffsetAtOrAfter(ByteBuffer batchBytes, long timestamp) {
        try {
            RecordBatch batch = RecordBatch.wrap(batchBytes);
            RecordIterator records = batch.records();
            while (records.hasNext()) {
                Record record = records.next();
                if (record.timestamp() >= timestamp) {
                    return record.offset();
                }
            }
            return batch.baseOffset();
        } catch (CorruptBatchException e) {
            return batchBytes.getLong(batchBytes.position());
        }
    }

    /**
     * Position of the first batch below {@code maxPosition} whose last offset is at least
     * {@code offset}, or -1. An index entry that does not point at the batch it names (a damaged
     * index file trusted after a clean shutdown) is ignored in favour of a scan from the start.
     */
    int findBatchPosition(long offset, int maxPosition) {
        ByteBuffer view = log.slice(0, maxPosition);
        OffsetIndex.Entry entry = offsetIndex.lookup(offset);
        int position = entry.position();
        if (position > 0
                && (position > maxPosition - RecordBatch.HEADER_SIZE || view.getLong(position) != entry.offset())) {
            position = 0;
        }
        while (position < maxPosition) {
            int size = batchSizeAt(view, position, maxPosition);
            if (view.getLong(position) + view.getInt(position + RecordBatch.LAST_OFFSET_DELTA_OFFSET) >= offset) {
                return position;
            }
            position += size;
        }
        return -1;
    }

    private int batchSizeAt(ByteBuffer view, int position, int maxPosition) {
        int size = position > maxPosition - RecordBatch.HEADER_SIZE
                ? -1
                : view.getInt(position + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
        if (size < RecordBatch.HEADER_SIZE || size > maxPosition - position) {
            throw new StorageException("segment " + log.path() + " has no valid batch at position " + position
                    + " although it was validated; the file was changed behind the log");
        }
        return size;
    }

    /**
     * Validates every batch by length and CRC, checks that offsets continue from the base offset (or, with
     * {@code gapsAllowed}, only increase: a compacted log has gaps, which costs the check of base offsets
     * that the CRC does not cover, as in Kafka) and
     * that leader epochs never decrease, rebuilds both indexes, and cuts the file after the last good batch.
     * It names where each epoch above {@code epochFloor} starts, which the leader epoch checkpoint may not
     * have been given yet (it is written by the flush that moves the recovery point past them).
     *
     * @param epochFloor the epoch of the last batch before this segment
     */
    public Recovery recover(int epochFloor, int segmentIndexBytes, boolean gapsAllowed) throws IOException {
        resetIndexes(segmentIndexBytes);
        BatchScanner scanner = BatchScanner.of(log.slice(0, log.size()));
        long expectedOffset = baseOffset;
        int epoch = epochFloor;
        int validBytes = 0;
        long batches = 0;
        List<EpochEntry> epochStarts = new ArrayList<>();
        while (true) {
            RecordBatch batch;
            try {
                batch = scanner.next();
            } catch (CorruptBatchException e) {
                break;
            }
            if (batch == null
                    || (gapsAllowed ? batch.baseOffset() < expectedOffset : batch.baseOffset() != expectedOffset)
                    || batch.partitionLeaderEpoch() < epoch) {
                break;
            }
            indexBatch(batch, validBytes);
            validBytes = scanner.position();
            expectedOffset = batch.nextOffset();
            if (batch.partitionLeaderEpoch() > epoch) {
                epoch = batch.partitionLeaderEpoch();
                if (epoch >= 0) {
                    epochStarts.add(new EpochEntry(epoch, batch.baseOffset()));
                }
            }
            batches++;
        }
        int cut = log.size() - validBytes;
        if (cut > 0) {
            log.truncateInPlace(validBytes);
        }
        nextOffset = expectedOffset;
        return new Recovery(batches, cut, epoch, epochStarts);
    }

    /**
     * What {@link #recover} found: batches validated, bytes cut, the epoch of the last good batch, and the
     * first batch of each epoch above the floor, oldest first.
     */
    public record Recovery(long batches, int bytesTruncated, int lastEpoch, List<EpochEntry> epochStarts) {}

    /**
     * Loads a segment whose bytes are trusted (below the recovery point, or after a clean shutdown):
     * keeps its indexes if they are sane, else rebuilds them by walking batch headers without
     * checking CRCs.
     *
     * @return whether the indexes were rebuilt
     */
    public boolean loadTrusted(int segmentIndexBytes) throws IOException {
        int size = log.size();
        boolean sane = !indexFilesMissing && offsetIndex.isSane(size);
        if (sane) {
            nextOffset = walkHeaders(offsetIndex.lookup(Long.MAX_VALUE).position(), size);
            sane = timeIndex.isSane(nextOffset);
        }
        if (sane) {
            maxTimestampSoFar = timeIndex.lastTimestamp();
            if (size >= RecordBatch.HEADER_SIZE) {
                firstBatchAt(log.slice(0, RecordBatch.HEADER_SIZE).getLong(RecordBatch.MAX_TIMESTAMP_OFFSET));
            }
            return false;
        }
        rebuildIndexes(segmentIndexBytes);
        return true;
    }

    /** Rebuilds both indexes from the batch headers of a segment whose bytes are trusted. */
    public void rebuildIndexes(int segmentIndexBytes) throws IOException {
        resetIndexes(segmentIndexBytes);
        int size = log.size();
        ByteBuffer view = log.slice(0, size);
        int position = 0;
        while (position < size) {
            int batchSize = batchSizeAt(view, position, size);
            try {
                indexBatch(RecordBatch.wrap(view.duplicate().position(position).limit(position + batchSize)), position);
            } catch (CorruptBatchException e) {
                throw new StorageException("segment " + log.path() + " has a short batch at position " + position, e);
            }
            position += batchSize;
        }
        nextOffset = walkHeaders(0, size);
    }

    private long walkHeaders(int from, int size) {
        ByteBuffer view = log.slice(0, size);
        long next = baseOffset;
        int position = from;
        while (position < size) {
            int batchSize = batchSizeAt(view, position, size);
            next = view.getLong(position) + view.getInt(position + RecordBatch.LAST_OFFSET_DELTA_OFFSET) + 1;
            position += batchSize;
        }
        return next;
    }

    private void resetIndexes(int segmentIndexBytes) throws IOException {
        offsetIndex.ensureCapacity(segmentIndexBytes);
        timeIndex.ensureCapacity(segmentIndexBytes);
        offsetIndex.reset();
        timeIndex.reset();
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
    }

    /**
     * Writes the segment's first bytes up to the batch holding {@code offset} (that batch excluded)
     * into a new file that replaces this one, and returns it as a new appendable segment. This
     * segment is closed; readers holding its slices keep seeing the old, unlinked file.
     */
    public LogSegment truncatedCopy(long offset, int segmentBytes, int segmentIndexBytes, long nowMs)
            throws IOException {
        int size = log.size();
        int position;
        if (!retain()) {
            throw new IllegalStateException("segment " + this + " left its log before its truncation");
        }
        try {
            position = findBatchPosition(offset, size);
        } finally {
            release();
        }
        int keep = position < 0 ? size : position;
        Path dir = log.path().getParent();
        Path tmp = dir.resolve(fileName(baseOffset, ".log.truncating"));
        try (FileChannel source = FileChannel.open(log.path(), StandardOpenOption.READ);
                FileChannel target = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            long copied = 0;
            while (copied < keep) {
                copied += source.transferTo(copied, keep - copied, target);
            }
        }
        close();
        Files.move(tmp, log.path(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        offsetIndex.delete();
        timeIndex.delete();
        LogSegment copy = open(dir, baseOffset, true, segmentBytes, segmentIndexBytes, indexIntervalBytes, nowMs);
        copy.rebuildIndexes(segmentIndexBytes);
        return copy;
    }

    /**
     * Takes a reference to the mappings, so that they stay mapped until {@link #release()}; fails once the
     * last reference went (the segment left the log and its readers are done): the caller looks again.
     */
    public boolean retain() {
        while (true) {
            int n = references.get();
            if (n == UNMAPPING) {
                awaitUnmapped();
            } else if (n <= 0) {
                return false;
            } else if (references.compareAndSet(n, n + 1)) {
                break;
            }
        }
        boolean mapped;
        try {
            mapped = mapFiles();
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        if (!mapped) {
            // Closed before a reader mapped it again: the segment left the log.
            release();
        } else if (!readRecently) {
            readRecently = true;
        }
        return mapped;
    }

    /**
     * Gives back a reference: the log's when the segment leaves it, or a reader's. The last one unmaps
     * the segment's files; nothing may read a slice of them afterwards.
     */
    public void release() {
        while (true) {
            int n = references.get();
            if (n == UNMAPPING) {
                awaitUnmapped();
            } else if (n <= 0) {
                throw new IllegalStateException("segment " + this + " released more often than retained");
            } else if (references.compareAndSet(n, n - 1)) {
                if (n == 1) {
                    synchronized (mapLock) {
                        unmapFiles();
                    }
                }
                return;
            }
        }
    }

    /**
     * Unmaps the segment's files if only the log references it (no reader holds a slice of them): all of
     * a sealed segment's, the {@code .log} of the appendable one (whose writer appends to the indexes
     * without a reference); the next {@link #retain()} maps them again.
     *
     * @return whether something was unmapped
     */
    public boolean unmapIfUnread() {
        synchronized (mapLock) {
            boolean isSealed = sealed;
            if (!(isSealed ? isMapped() : log.isMapped()) || !references.compareAndSet(1, UNMAPPING)) {
                return false;
            }
            try {
                if (isSealed) {
                    unmapFiles();
                } else {
                    log.unmap();
                }
            } finally {
                references.set(1);
            }
            return true;
        }
    }

    /**
     * The idle policy, called at a fixed interval: unmaps a sealed segment that no reader retained since
     * the previous call and none holds now (a second chance, as a clock page-replacement sweep gives). A
     * consumer catching up through the segment retains it on every fetch, so it stays mapped while read;
     * it is unmapped by the second call after its last read, or by a later one if a reader still holds it.
     *
     * @return whether something was unmapped
     */
    public boolean unmapIfIdle() {
        if (readRecently) {
            readRecently = false;
            return false;
        }
        return unmapIfUnread();
    }

    /** Whether any of the segment's files is mapped now. */
    public boolean isMapped() {
        return log.isMapped() || offsetIndex.isMapped() || timeIndex.isMapped();
    }

    /**
     * Maps the {@code .log} and each index with entries, unless the segment was closed; whether all of them
     * are mapped.
     */
    private boolean mapFiles() {
        if (filesMapped()) {
            return true;
        }
        synchronized (mapLock) {
            if (!closed) {
                log.map();
                offsetIndex.mapEntries();
                timeIndex.mapEntries();
            }
            return filesMapped();
        }
    }

    private boolean filesMapped() {
        return log.isMapped() && offsetIndex.entriesMapped() && timeIndex.entriesMapped();
    }

    /** Caller holds {@code mapLock}. */
    private void unmapFiles() {
        log.unmap();
        offsetIndex.unmap();
        timeIndex.unmap();
    }

    /** Returns once {@link #unmapIfUnread()}, which holds {@code mapLock} while the count is UNMAPPING, is done. */
    private void awaitUnmapped() {
        synchronized (mapLock) {
            // Nothing to do: holding the lock once is the wait.
        }
    }

    /** Makes the segment read-only: records its largest timestamp and releases preallocated space. */
    public void seal() throws IOException {
        if (maxTimestampSoFar > timeIndex.lastTimestamp()) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex.trim();
        timeIndex.trim();
        log.seal();
        sealed = true;
    }

    /** Forces the log file to the device (indexes are caches and are rebuilt after a crash). */
    public void flush() throws IOException {
        log.flush();
    }

    /** Closes file handles; slices already handed out stay readable, and no file is mapped again. */
    public void close() throws IOException {
        synchronized (mapLock) {
            closed = true;
        }
        log.close();
    }

    /**
     * Closes the segment, renames its files {@code *.deleted} and unlinks them {@code delayMs} later on
     * {@code scheduler} (at once if 0 or if the scheduler is shut down). The caller then releases the
     * log's reference; slices of the segment stay readable until their readers release theirs.
     */
    public void closeAndDelete(ScheduledExecutorService scheduler, long delayMs) throws IOException {
        close();
        List<Path> renamed = new ArrayList<>();
        for (Path file : files()) {
            if (Files.exists(file)) {
                Path target = file.resolveSibling(file.getFileName() + LogLoader.DELETED_SUFFIX);
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                renamed.add(target);
            }
        }
        Runnable delete = () -> {
            for (Path file : renamed) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // Left for the next load, which removes every .deleted file.
                }
            }
        };
        if (delayMs == 0) {
            delete.run();
            return;
        }
        try {
            scheduler.schedule(delete, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            delete.run();
        }
    }

    /**
     * Every byte of the segment's batches, for the cleaner and producer-state replay; the caller holds a
     * reference ({@link #retain()}) while it reads them.
     */
    ByteBuffer bytes() {
        return log.slice(0, log.size());
    }

    /** The {@code .log} file's last-modified time (ms), which the cleaner's tombstone retention counts from. */
    long lastModifiedMs() throws IOException {
        return Files.getLastModifiedTime(log.path()).toMillis();
    }

    /** The segment's files, for renaming or deleting once it is closed. */
    public List<Path> files() {
        return List.of(log.path(), offsetIndex.path(), timeIndex.path());
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + log.size() + ", nextOffset=" + nextOffset + ")";
    }
}
